/* lmdb_err.h: the one place that turns LMDB return codes into HEARTH_E*
 * codes, for the server store and the client replica alike. */
#ifndef HEARTH_COMMON_LMDB_ERR_H
#define HEARTH_COMMON_LMDB_ERR_H

/* Translates a return code of any mdb_* function (MDB_* or an errno value)
 * into 0 or a negative HEARTH_E* code:
 *   MDB_SUCCESS                     -> 0
 *   MDB_NOTFOUND                    -> HEARTH_ENOTFOUND
 *   MDB_MAP_FULL, MDB_TXN_FULL      -> HEARTH_EFULL (the store is full)
 *   MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID, MDB_VERSION_MISMATCH
 *                                   -> HEARTH_ECORRUPT (the file is damaged)
 *   ENOMEM                          -> HEARTH_ENOMEM
 *   EINVAL                          -> HEARTH_EINVAL
 *   ENOENT, EACCES, EIO             -> HEARTH_EIO (the operating system said no)
 *   anything else                   -> HEARTH_ESTORE
 * Pure; safe on any thread. */
int lmdb_err(int mdb_rc);

#endif
