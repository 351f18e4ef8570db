/* errors.c: the one table that turns HEARTH_E* codes into words for people. */
#include "common/hearth.h"
#include "common/i18n.h"

/* Every code has a fixed, static description so that callers can log it
 * from any context, including out-of-memory paths, without allocating.
 * A code that is not in the table still gets a string rather than NULL, so a
 * caller that passes a library code by mistake prints something useful.
 * The words are English here (the server logs them); they are marked N_()
 * so the client shows them translated, as _(hearth_strerror(rc)). */
const char *hearth_strerror(int err)
{
	switch (err) {
	case HEARTH_OK:        return N_("success");
	case HEARTH_ENOMEM:    return N_("out of memory");
	case HEARTH_EPROTO:    return N_("protocol error: the peer sent something the protocol does not allow");
	case HEARTH_ETOOBIG:   return N_("a length is over its limit");
	case HEARTH_EAGAIN:    return N_("more input is needed");
	case HEARTH_EINVAL:    return N_("invalid argument or data");
	case HEARTH_EIO:       return N_("input/output error");
	case HEARTH_ETLS:      return N_("TLS failure (handshake, certificate verification or record)");
	case HEARTH_EAUTH:     return N_("the peer is authenticated but not allowed");
	case HEARTH_ENOTFOUND: return N_("not found");
	case HEARTH_EFULL:     return N_("the store is full (raise map_size)");
	case HEARTH_ECLOSED:   return N_("the peer closed the connection");
	case HEARTH_ESTORE:    return N_("store failure");
	case HEARTH_EEXIST:    return N_("already exists");
	case HEARTH_ECORRUPT:  return N_("stored data failed its integrity checks");
	case HEARTH_EVERSION:  return N_("version mismatch");
	case HEARTH_ETIMEDOUT: return N_("timed out");
	case HEARTH_EDISKFULL: return N_("the disk holding the store is full");
	}
	return N_("unknown error code");
}
