#ifndef OTA_CQRENCODE_SHIM_H
#define OTA_CQRENCODE_SHIM_H
// libqrencode (Debian libqrencode-dev): QR symbol generation for ticket QR codes.
#include <qrencode.h>
#endif
