/* backup.h: `hearthd backup` and `hearthd restore`: a consistent,
 * compacted copy of a store (live or not), and a verified restore of one.
 *
 * A backup is one file in LMDB's data.mdb format, written by LMDB's copy
 * API inside one read transaction, so it is a snapshot of one committed
 * state even while hearthd keeps writing (in this or another process). The
 * audit checkpoint it ends at is inside it: the meta key "audit_head"
 * (size u64 big-endian || head hash 32 bytes), written by the audit code in
 * the same transaction as every audit entry, is copied with everything else
 * and read back from the copy.
 *
 * Both commands are separate processes from the server: they print for
 * people on stdout, errors on stderr, and return an exit status (0 done,
 * 1 failed, 2 bad usage or refused). */
#ifndef HEARTHD_BACKUP_H
#define HEARTHD_BACKUP_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

/* Meta key and value layout of the audit head the backup reports. */
#define BACKUP_AUDIT_HEAD_KEY "audit_head"
#define BACKUP_AUDIT_HEAD_LEN 40   /* size(8, big-endian) + SHA-256 head(32) */

/* `hearthd backup --data DIR --to FILE`. argv[0] is "backup". */
int backup_main(int argc, char **argv);

/* `hearthd restore --from FILE --data DIR [--force]`. argv[0] is "restore". */
int restore_main(int argc, char **argv);

/* What a store file says about itself: the last change sequence, record
 * count, and the audit head when there is one. */
typedef struct backup_info {
	uint64_t seq;
	uint64_t records;
	uint64_t entries;          /* entries walked across every named db */
	int has_audit_head;
	uint64_t audit_size;
	uint8_t audit_head[32];
} backup_info;

/* Opens the store at path read-only (a data.mdb file when is_file, else a
 * store directory), walks every named database with a cursor, unpacks
 * every record and revision, and fills info. Proves the file is a sound
 * LMDB store of ours. Returns 0 or a negative HEARTH_E* code with err
 * saying what is wrong. */
int backup_inspect(const char *path, int is_file, backup_info *info, char *err, size_t errlen);

/* Opens the store at path read-only (a data.mdb file when is_file, else a
 * store directory, checked with store_precheck first) into *out, which the
 * caller closes with mdb_env_close; the map size is the file's. Returns 0
 * or a negative HEARTH_E* code with err saying why. */
int backup_open_ro(const char *path, int is_file, MDB_env **out, char *err, size_t errlen);

#endif
