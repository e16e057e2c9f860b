#ifndef OTA_CLIBPQ_SHIM_H
#define OTA_CLIBPQ_SHIM_H
#include <libpq-fe.h>

/* libpq's PG_DIAG_* are character macros, which Swift does not import: re-export them. */
static const int OTA_PG_DIAG_SQLSTATE = 'C';
static const int OTA_PG_DIAG_MESSAGE_PRIMARY = 'M';
static const int OTA_PG_DIAG_MESSAGE_DETAIL = 'D';
static const int OTA_PG_DIAG_MESSAGE_HINT = 'H';
static const int OTA_PG_DIAG_CONSTRAINT_NAME = 'n';
static const int OTA_PG_DIAG_TABLE_NAME = 't';
static const int OTA_PG_DIAG_COLUMN_NAME = 'c';
static const int OTA_PG_DIAG_SOURCE_FUNCTION = 'R';
#endif
