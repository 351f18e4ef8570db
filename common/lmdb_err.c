/* lmdb_err.c: the one LMDB error translator (see lmdb_err.h). */
#include "common/lmdb_err.h"

#include <errno.h>
#include <lmdb.h>

#include "common/hearth.h"

int lmdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return HEARTH_ENOTFOUND;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL: return HEARTH_EFULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH: return HEARTH_ECORRUPT;
	case ENOMEM: return HEARTH_ENOMEM;
	case EINVAL: return HEARTH_EINVAL;
	case ENOENT:
	case EACCES:
	case EIO: return HEARTH_EIO;
	default: return HEARTH_ESTORE;
	}
}
