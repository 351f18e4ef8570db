/* store.c: the LMDB environment: opening it with its named databases, the
 * change sequence, and the shared key layout. */
#include "server/db/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/lmdb_err.h"

int store_err(int rc)
{
	return lmdb_err(rc);
}

/* LMDB's on-disk meta page (lmdb's mdb.c, MDB_meta after a 16-byte page
 * header, 64-bit build): magic and version at 16, the page size in the
 * free DB's md_pad at 40, the last page number at 136, the txn id at 144. */
#define META_MAGIC 0xBEEFC0DEu
#define META_VERSION 1u
#define META_OFF_MAGIC 16
#define META_OFF_VERSION 20
#define META_OFF_PSIZE 40
#define META_OFF_LASTPG 136
#define META_OFF_TXNID 144
#define META_LEN 152

#define RESTORE_HINT "stop here and restore the last backup: hearthd restore --from FILE --data %s --force " \
	"(README, Operations; hearthd check --data %s names the damage)"

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

int store_precheck(const char *dir, char *err, size_t errlen)
{
	char file[1100], lock[1100];
	uint8_t m[2][META_LEN];
	uint64_t last = 0, txnid = 0;
	uint32_t psize = 0;
	struct stat st;
	int fd, good = 0;

	snprintf(file, sizeof(file), "%s/data.mdb", dir);
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	if (stat(file, &st) != 0)
		return 0;
	if (st.st_size == 0) {
		if (stat(lock, &st) != 0)
			return 0;
		snprintf(err, errlen, "store file %s is empty (0 bytes) although %s shows a store was there; it is damaged; "
		         RESTORE_HINT, file, lock, dir, dir);
		return HEARTH_ECORRUPT;
	}
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot read store file %s: %s", file, strerror(errno));
		return HEARTH_EIO;
	}
	memset(m, 0, sizeof(m));
	if (pread(fd, m[0], META_LEN, 0) == META_LEN && rd32(m[0] + META_OFF_MAGIC) == META_MAGIC)
		psize = rd32(m[0] + META_OFF_PSIZE);
	if (psize < 512 || psize > 65536 || (psize & (psize - 1)))
		psize = 4096;
	if (pread(fd, m[1], META_LEN, psize) != META_LEN)
		memset(m[1], 0, META_LEN);
	/* The size after the meta pages: a server committing meanwhile only
	 * grows the file, so a meta page read first never outruns it. */
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read store file %s: %s", file, strerror(errno));
		close(fd);
		return HEARTH_EIO;
	}
	close(fd);
	for (int i = 0; i < 2; i++) {
		if (rd32(m[i] + META_OFF_MAGIC) != META_MAGIC)
			continue;
		if (rd32(m[i] + META_OFF_VERSION) != META_VERSION) {
			snprintf(err, errlen, "store file %s has LMDB format version %u, this hearthd reads version %u; "
			         "it is damaged or from another program; " RESTORE_HINT, file,
			         rd32(m[i] + META_OFF_VERSION), META_VERSION, dir, dir);
			return HEARTH_ECORRUPT;
		}
		if (!good || rd64(m[i] + META_OFF_TXNID) > txnid) {
			txnid = rd64(m[i] + META_OFF_TXNID);
			last = rd64(m[i] + META_OFF_LASTPG);
		}
		good = 1;
	}
	if (!good) {
		snprintf(err, errlen, "store file %s is not an LMDB store (neither meta page has LMDB's magic number); "
		         "it is damaged; " RESTORE_HINT, file, dir, dir);
		return HEARTH_ECORRUPT;
	}
	if (last > UINT64_MAX / psize - 1 || (uint64_t)st.st_size < (last + 1) * psize) {
		snprintf(err, errlen, "store file %s is truncated: %lld bytes, but its meta page records %llu pages of "
		         "%u bytes (%llu bytes); it is damaged; " RESTORE_HINT, file, (long long)st.st_size,
		         (unsigned long long)last + 1, psize, (unsigned long long)((last + 1) * psize), dir, dir);
		return HEARTH_ECORRUPT;
	}
	return 0;
}

int store_open(store *s, const char *dir, uint64_t map_size, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	int rc, dead = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", dir);
	s->map_size = map_size;
	if ((rc = store_precheck(dir, err, errlen)) != 0)
		return rc;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create store directory %s: %s", dir, strerror(errno));
		return HEARTH_EIO;
	}
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto fail;
	mdb_env_set_maxdbs(s->env, 32);
	mdb_env_set_maxreaders(s->env, 126);
	if ((rc = mdb_env_set_mapsize(s->env, (size_t)map_size)) != 0)
		goto fail;
	/* NOTLS: read transactions are not tied to threads (the loop thread
	 * reads while the writer thread writes). */
	if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != 0)
		goto fail;
	mdb_reader_check(s->env, &dead);
	s->stale_readers_at_open = dead;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		goto fail;
#define OPEN(name) \
	if ((rc = mdb_dbi_open(txn, #name, MDB_CREATE, &s->name)) != 0) \
		goto fail;
	OPEN(records) OPEN(revs) OPEN(changes) OPEN(bchanges) OPEN(ops) OPEN(conflicts)
	OPEN(digests) OPEN(branches) OPEN(meta)
	OPEN(audit) OPEN(audit_links) OPEN(audit_branch) OPEN(audit_record) OPEN(checkpoints)
	OPEN(principals) OPEN(figures) OPEN(open_conflicts)
#undef OPEN
	/* The database of the reference rules (refs.c), created here so it
	 * exists before the first write looks it up. */
	{
		MDB_dbi refs;
		if ((rc = mdb_dbi_open(txn, STORE_REFS_DB, MDB_CREATE, &refs)) != 0)
			goto fail;
	}
	/* And those of the attachment content (chunks.h). */
	{
		static const char *const content_dbs[] = { "chunks", "afiles", "arefs", "aquota", "crefs" };
		for (size_t i = 0; i < sizeof(content_dbs) / sizeof(content_dbs[0]); i++) {
			MDB_dbi d;
			if ((rc = mdb_dbi_open(txn, content_dbs[i], MDB_CREATE, &d)) != 0)
				goto fail;
		}
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		goto fail;
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	snprintf(err, errlen, "cannot open store %s: %s", dir, mdb_strerror(rc));
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
	return store_err(rc);
}

void store_close(store *s)
{
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
}

int store_classify_commit(int mdb_rc, int free_ok, uint64_t free_bytes)
{
	if (mdb_rc == ENOSPC || mdb_rc == EDQUOT)
		return HEARTH_EDISKFULL;
	if (mdb_rc == EIO && free_ok && free_bytes < STORE_DISK_MARGIN)
		return HEARTH_EDISKFULL;
	return store_err(mdb_rc);
}

int store_disk_free(const store *s, uint64_t *free_bytes)
{
	struct statvfs vfs;
	if (statvfs(s->path, &vfs) != 0)
		return HEARTH_EIO;
	*free_bytes = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	return 0;
}

int store_commit(store *s, MDB_txn *txn)
{
	uint64_t free_bytes = 0;
	int rc = mdb_txn_commit(txn);
	if (rc == 0)
		return 0;
	/* Only an I/O error asks the file system: the others say what they are. */
	if (rc != EIO && rc != ENOSPC && rc != EDQUOT)
		return store_err(rc);
	return store_classify_commit(rc, store_disk_free(s, &free_bytes) == 0, free_bytes);
}

void store_full_disk_message(const store *s, char *buf, size_t cap)
{
	uint64_t free_bytes = 0;
	int known = store_disk_free(s, &free_bytes) == 0;
	snprintf(buf, cap,
	         "the disk holding the server's store (%s) is full (%llu KiB free); nothing in this push was stored; "
	         "the operator must free space on that disk (or move the store to a larger one), then push again",
	         s->path, known ? (unsigned long long)(free_bytes >> 10) : 0ULL);
}

int store_clear_stale_readers(store *s, int *cleared)
{
	*cleared = 0;
	return store_err(mdb_reader_check(s->env, cleared));
}

int store_usage(store *s, uint64_t *used, uint64_t *map)
{
	MDB_envinfo info;
	MDB_stat st;
	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &st);
	*used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	*map = info.me_mapsize;
	return 0;
}

int store_derive_once(MDB_txn *txn, MDB_dbi derived, const char *marker, MDB_dbi source, store_derive_fn each,
                      void *ctx, int *built)
{
	MDB_val mk = { strlen(marker), (void *)marker }, mv, k, v;
	MDB_cursor *cur = NULL;
	uint8_t one = 1;
	int rc;

	*built = 0;
	rc = mdb_get(txn, derived, &mk, &mv);
	if (rc == 0)
		return 0;
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	/* Entries written before the marker (none in a real store; a test's
	 * writes) are made again from the source. */
	if ((rc = store_err(mdb_drop(txn, derived, 0))) != 0)
		return rc;
	if ((rc = store_err(mdb_cursor_open(txn, source, &cur))) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		int r2 = each(ctx, txn, &k, &v);
		if (r2 != 0) {
			mdb_cursor_close(cur);
			return r2;
		}
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	mv.mv_size = 1;
	mv.mv_data = &one;
	if ((rc = store_err(mdb_put(txn, derived, &mk, &mv, 0))) != 0)
		return rc;
	*built = 1;
	return 0;
}

int store_put_ordered(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags)
{
	int rc = mdb_put(txn, dbi, k, v, flags | MDB_APPEND);

	if (rc == MDB_KEYEXIST)
		rc = mdb_put(txn, dbi, k, v, flags);
	return store_err(rc);
}

int store_next_seq(store *s, MDB_txn *txn, uint64_t *seq)
{
	MDB_val k = { 3, "seq" }, v;
	uint8_t buf[8];
	uint64_t cur = 0;
	int rc = mdb_get(txn, s->meta, &k, &v);

	if (rc == 0 && v.mv_size == 8)
		cur = be64_get(v.mv_data);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	cur++;
	be64_put(buf, cur);
	v.mv_size = 8;
	v.mv_data = buf;
	if ((rc = mdb_put(txn, s->meta, &k, &v, 0)) != 0)
		return store_err(rc);
	*seq = cur;
	return 0;
}

int store_last_seq(store *s, uint64_t *seq)
{
	MDB_txn *txn;
	MDB_val k = { 3, "seq" }, v;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	rc = mdb_get(txn, s->meta, &k, &v);
	*seq = (rc == 0 && v.mv_size == 8) ? be64_get(v.mv_data) : 0;
	mdb_txn_abort(txn);
	return 0;
}

/* Branch-index key: branch bytes, a NUL, then the sequence. */
size_t store_branch_key(uint8_t *key, size_t cap, const char *branch, uint64_t seq)
{
	size_t bl = strlen(branch);
	if (bl > STORE_BRANCH_MAX || bl + 9 > cap)
		return 0;
	memcpy(key, branch, bl);
	key[bl] = 0;
	be64_put(key + bl + 1, seq);
	return bl + 9;
}

int store_scope_has(const store_scope *sc, const char *branch)
{
	if (sc->all)
		return 1;
	for (uint32_t i = 0; i < sc->n; i++)
		if (strcmp(sc->ids[i], branch) == 0)
			return 1;
	return 0;
}
