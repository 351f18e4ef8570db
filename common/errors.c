/* errors.c: the one table that turns HEARTH_E* codes into words for people. */
#include "common/hearth.h"

/* Every code has a fixed, static description so that callers can log it
 * from any context, including out-of-memory paths, without allocating.
 * A code that is not in the table still gets a string rather than NULL, so a
 * caller that passes a library code by mistake prints something useful. */
const char *hearth_strerror(int err)
{
	switch (err) {
	case HEARTH_OK:        return "success";
	case HEARTH_ENOMEM:    return "out of memory";
	case HEARTH_EPROTO:    return "protocol error: the peer sent something the protocol does not allow";
	case HEARTH_ETOOBIG:   return "a length is over its limit";
	case HEARTH_EAGAIN:    return "more input is needed";
	case HEARTH_EINVAL:    return "invalid argument or data";
	case HEARTH_EIO:       return "input/output error";
	case HEARTH_ETLS:      return "TLS failure (handshake, certificate verification or record)";
	case HEARTH_EAUTH:     return "the peer is authenticated but not allowed";
	case HEARTH_ENOTFOUND: return "not found";
	case HEARTH_EFULL:     return "the store is full (raise map_size)";
	case HEARTH_ECLOSED:   return "the peer closed the connection";
	case HEARTH_ESTORE:    return "store failure";
	case HEARTH_EEXIST:    return "already exists";
	case HEARTH_ECORRUPT:  return "stored data failed its integrity checks";
	case HEARTH_EVERSION:  return "version mismatch";
	case HEARTH_ETIMEDOUT: return "timed out";
	case HEARTH_EDISKFULL: return "the disk holding the store is full";
	}
	return "unknown error code";
}
