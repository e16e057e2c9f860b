#ifndef OTA_CLINUX_SHIM_H
#define OTA_CLINUX_SHIM_H
/* Glibc as imported by the Swift toolchain leaves these out. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <pthread.h>

extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/* The flag macros as constants, in case a macro does not import. */
static const int OTA_SOCK_NONBLOCK = 04000;
static const int OTA_SOCK_CLOEXEC = 02000000;
static const unsigned int OTA_EPOLLIN = 0x001;
static const unsigned int OTA_EPOLLOUT = 0x004;
static const unsigned int OTA_EPOLLERR = 0x008;
static const unsigned int OTA_EPOLLHUP = 0x010;
static const unsigned int OTA_EPOLLRDHUP = 0x2000;
#endif
