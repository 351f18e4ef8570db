/* hearth.h: error codes, versions and hard limits shared by client and server. */
#ifndef HEARTH_H
#define HEARTH_H

#include <stddef.h>
#include <stdint.h>

#define HEARTH_VERSION "0.1.0"
#define HEARTH_PROTOCOL_MAJOR 1
#define HEARTH_PROTOCOL_MINOR 1   /* 1.1: record kinds 21-29, audit messages, PullResponse.reset */

/* Library-independent error codes.  Every function that can fail returns 0
 * or one of these (negative).  Codes from LMDB, OpenSSL and libuv are
 * translated into these in exactly one place per library. */
enum {
	HEARTH_OK = 0,
	HEARTH_ENOMEM = -1,     /* allocation failed */
	HEARTH_EPROTO = -2,     /* peer broke the protocol */
	HEARTH_ETOOBIG = -3,    /* a length is over its limit */
	HEARTH_EAGAIN = -4,     /* need more input; not an error for callers that pump */
	HEARTH_EINVAL = -5,     /* bad argument or invalid data */
	HEARTH_EIO = -6,        /* the operating system said no */
	HEARTH_ETLS = -7,       /* TLS failed (handshake, verification, record) */
	HEARTH_EAUTH = -8,      /* peer authenticated but not acceptable */
	HEARTH_ENOTFOUND = -9,
	HEARTH_EFULL = -10,     /* LMDB map full */
	HEARTH_ECLOSED = -11,   /* peer closed the connection */
	HEARTH_ESTORE = -12,    /* the store failed in a way not listed above */
	HEARTH_EEXIST = -13,
	HEARTH_ECORRUPT = -14,  /* stored data failed its own checks */
	HEARTH_EVERSION = -15,
	HEARTH_ETIMEDOUT = -16,
	HEARTH_EDISKFULL = -17, /* the disk under the store is (nearly) full */
};

/* Returns a static, human-readable description of a HEARTH_E* code. */
const char *hearth_strerror(int err);

/* Hard limits.  Configurable limits default to these and may only be lowered
 * (except the frame size, which an operator may raise up to the cap). */
#define HEARTH_FRAME_MAX_DEFAULT   (4u * 1024u * 1024u)
#define HEARTH_FRAME_MAX_CAP       (64u * 1024u * 1024u)
/* Before the Hello/Welcome exchange a peer may send only a small frame. */
#define HEARTH_FRAME_MAX_PREAUTH   (16u * 1024u)

#define HEARTH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
