/* replica_handle.h: the replica handle, an open LMDB environment and its
 * named databases (see replica.h for what each holds). A type only: it is
 * filled by replica_open and read by every replica module, including the
 * LMDB layer under them (replica_store.h), which must not depend on the
 * replica's API. */
#ifndef HEARTH_CORE_REPLICA_HANDLE_H
#define HEARTH_CORE_REPLICA_HANDLE_H

#include <lmdb.h>
#include <stdint.h>

typedef struct replica {
	MDB_env *env;
	MDB_dbi server, local, outbox, conflicts, meta;
	MDB_dbi byrec;            /* added by replica_open: outbox index by record */
	MDB_dbi events;           /* client events waiting for the audit log */
	MDB_dbi rejected;         /* records whose pending change the server rejected */
	MDB_dbi digests;          /* per branch and kind: count and XOR digest of server copies */
	uint8_t replica_id[16];
	char path[1100];
} replica;

#endif
