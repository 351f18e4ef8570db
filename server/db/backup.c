/* backup.c: online backup of a store with LMDB's copy API, and a restore
 * that refuses to clobber, verifies what it placed, and says where the
 * audit log of the copy ends. */
#include "server/db/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/db/audit_log.h"
#include "common/hearth.h"
#include "proto/hearth.pb-c.h"
#include "common/be.h"
#include "server/db/store.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Opens an existing store read-only. A data.mdb file on its own (a backup)
 * is nobody else's, so it needs no lock file; a directory uses LMDB's
 * normal locking so a live server's writes are not disturbed. The map size
 * is left unset so LMDB takes the one recorded in the file. */
int backup_open_ro(const char *path, int is_file, MDB_env **out, char *err, size_t errlen)
{
	MDB_env *env = NULL;
	unsigned flags = MDB_RDONLY | MDB_NOTLS;
	int rc;

	*out = NULL;
	if (!is_file && (rc = store_precheck(path, err, errlen)) != 0)
		return rc;
	if (is_file)
		flags |= MDB_NOSUBDIR | MDB_NOLOCK;
	if ((rc = mdb_env_create(&env)) != 0)
		goto fail;
	mdb_env_set_maxdbs(env, 64);
	if ((rc = mdb_env_open(env, path, flags, 0600)) != 0)
		goto fail;
	if (!is_file) {
		int dead = 0;
		mdb_reader_check(env, &dead);
	}
	*out = env;
	return 0;
fail:
	snprintf(err, errlen, "cannot open %s as an LMDB store: %s", path, mdb_strerror(rc));
	if (env)
		mdb_env_close(env);
	return store_err(rc);
}

/* Reads the last sequence and the audit head from meta. */
static int read_meta(MDB_txn *txn, MDB_dbi meta, backup_info *info, char *err, size_t errlen)
{
	MDB_val k = { 3, "seq" }, v;
	int rc = mdb_get(txn, meta, &k, &v);

	if (rc == 0 && v.mv_size == 8)
		info->seq = be64_get(v.mv_data);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		goto fail;
	k.mv_size = strlen(BACKUP_AUDIT_HEAD_KEY);
	k.mv_data = BACKUP_AUDIT_HEAD_KEY;
	rc = mdb_get(txn, meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		goto fail;
	if (v.mv_size != BACKUP_AUDIT_HEAD_LEN) {
		snprintf(err, errlen, "meta \"%s\" is %zu bytes, expected %d (size and SHA-256 head)",
		         BACKUP_AUDIT_HEAD_KEY, v.mv_size, BACKUP_AUDIT_HEAD_LEN);
		return HEARTH_ECORRUPT;
	}
	info->has_audit_head = 1;
	info->audit_size = be64_get(v.mv_data);
	memcpy(info->audit_head, (const uint8_t *)v.mv_data + 8, 32);
	return 0;
fail:
	snprintf(err, errlen, "cannot read meta: %s", mdb_strerror(rc));
	return store_err(rc);
}

/* Walks one named database end to end. Records and revisions are unpacked
 * too: a page LMDB can read but whose bytes are not a Record is damage. */
static int walk_db(MDB_txn *txn, const char *name, backup_info *info, char *err, size_t errlen)
{
	MDB_dbi dbi;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int is_rec = !strcmp(name, "records") || !strcmp(name, "revs");
	int rc;

	if ((rc = mdb_dbi_open(txn, name, 0, &dbi)) != 0)
		goto fail;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		goto fail;
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0) {
		info->entries++;
		if (is_rec) {
			Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
			if (!r) {
				mdb_cursor_close(cur);
				snprintf(err, errlen, "database \"%s\": entry %llu is not a Record", name,
				         (unsigned long long)info->entries);
				return HEARTH_ECORRUPT;
			}
			hearth__record__free_unpacked(r, NULL);
			if (!strcmp(name, "records"))
				info->records++;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	cur = NULL;
	if (rc == MDB_NOTFOUND)
		return 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	snprintf(err, errlen, "database \"%s\": %s", name, mdb_strerror(rc));
	return store_err(rc);
}

int backup_inspect(const char *path, int is_file, backup_info *info, char *err, size_t errlen)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_dbi main_db, meta;
	MDB_stat st;
	MDB_val k, v;
	char name[128];
	int have_meta = 0, rc;

	memset(info, 0, sizeof(*info));
	if ((rc = backup_open_ro(path, is_file, &env, err, errlen)) != 0)
		return rc;
	if ((rc = mdb_env_stat(env, &st)) != 0 || (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &main_db)) != 0 || (rc = mdb_cursor_open(txn, main_db, &cur)) != 0) {
		snprintf(err, errlen, "%s: %s", path, mdb_strerror(rc));
		rc = store_err(rc);
		goto out;
	}
	/* The main database's keys are the names of the named databases. */
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0) {
		if (k.mv_size == 0 || k.mv_size >= sizeof(name) || memchr(k.mv_data, 0, k.mv_size)) {
			snprintf(err, errlen, "%s: unexpected key in the main database; not a hearth store", path);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (!strcmp(name, "meta"))
			have_meta = 1;
		if ((rc = walk_db(txn, name, info, err, errlen)) != 0)
			goto out;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc != MDB_NOTFOUND) {
		snprintf(err, errlen, "%s: %s", path, mdb_strerror(rc));
		rc = store_err(rc);
		goto out;
	}
	if (!have_meta) {
		snprintf(err, errlen, "%s has no \"meta\" database; it is not a hearth store", path);
		rc = HEARTH_EINVAL;
		goto out;
	}
	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0) {
		snprintf(err, errlen, "%s: %s", path, mdb_strerror(rc));
		rc = store_err(rc);
		goto out;
	}
	rc = read_meta(txn, meta, info, err, errlen);
out:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(env);
	return rc;
}

static void print_checkpoint(const backup_info *info)
{
	char h[65];
	if (!info->has_audit_head) {
		printf("checkpoint: none (no audit log yet)\n");
		return;
	}
	hex(info->audit_head, 32, h);
	printf("checkpoint: size=%llu head=%s\n", (unsigned long long)info->audit_size, h);
}

/* fsync of the directory that holds path, so a rename survives a crash. */
static int sync_parent(const char *path)
{
	char dir[1200];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------- backup */

/* A FILE.tmp that no running backup holds is what a backup killed mid-way
 * left: up to the whole store in size, never renamed. It is removed (and
 * the operator told) before the new copy is written. A backup writing it
 * now holds an flock on it: then this one refuses. Returns 0, 1 (another
 * backup is running; nothing touched) or -1 (cannot remove it). */
static int remove_stale_tmp(const char *tmp)
{
	struct stat st;
	int fd;

	if (lstat(tmp, &st) != 0)
		return 0;
	/* O_NONBLOCK: a FIFO or device in its place must not hang us. */
	fd = open(tmp, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		close(fd);
		fprintf(stderr, "hearthd backup: another hearthd backup is writing %s now; wait for it to finish\n", tmp);
		return 1;
	}
	if (fd >= 0)
		close(fd);
	if (unlink(tmp) != 0) {
		fprintf(stderr, "hearthd backup: cannot remove %s left by an unfinished backup: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(stderr, "hearthd backup: removed %s (%lld bytes) left by a backup that did not finish\n", tmp,
	        (long long)st.st_size);
	return 0;
}

static void backup_usage(FILE *f)
{
	fprintf(f,
	        "usage: hearthd backup --data DIR --to FILE\n"
	        "\n"
	        "Writes a consistent, compacted copy of the store in DIR to FILE while\n"
	        "hearthd keeps serving (LMDB's copy API inside one read transaction; no\n"
	        "need to stop the server). FILE is written as FILE.tmp, synced, then\n"
	        "renamed, so FILE is always either the old backup or the complete new one.\n"
	        "A FILE.tmp left by a backup that was killed is removed first (and said so).\n"
	        "Prints the change sequence, record count and the audit checkpoint the\n"
	        "backup ends at.\n"
	        "\n"
	        "Exit status: 0 written, 1 failed, 2 bad usage.\n");
}

int backup_main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *to = NULL;
	char tmp[1200], dbfile[1200], err[600];
	struct stat sd, st;
	MDB_env *env = NULL;
	backup_info info;
	int fd = -1, c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 't': to = optarg; break;
		case 'h': backup_usage(stdout); return 0;
		default: fprintf(stderr, "hearthd: try 'hearthd backup --help'\n"); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hearthd backup: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (!data || !to) {
		fprintf(stderr, "hearthd backup: %s is required; usage: hearthd backup --data DIR --to FILE\n",
		        !data ? "--data DIR" : "--to FILE");
		return 2;
	}
	if (snprintf(dbfile, sizeof(dbfile), "%s/data.mdb", data) >= (int)sizeof(dbfile) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", to) >= (int)sizeof(tmp)) {
		fprintf(stderr, "hearthd backup: path too long\n");
		return 2;
	}
	/* A backup must never create a store where there was none. */
	if (stat(dbfile, &sd) != 0) {
		fprintf(stderr, "hearthd backup: --data %s: no store there (%s: %s)\n", data, dbfile, strerror(errno));
		return 2;
	}
	if (stat(to, &st) == 0 && st.st_dev == sd.st_dev && st.st_ino == sd.st_ino) {
		fprintf(stderr, "hearthd backup: --to %s is the live store file itself; choose another path\n", to);
		return 2;
	}
	if (remove_stale_tmp(tmp) != 0)
		return 1;
	if ((rc = backup_open_ro(data, 0, &env, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd backup: %s\n", err);
		return 1;
	}
	/* O_EXCL: the name is ours alone; the flock tells a second backup so. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "hearthd backup: cannot create %s: %s\n", tmp, strerror(errno));
		mdb_env_close(env);
		return 1;
	}
	(void)flock(fd, LOCK_EX | LOCK_NB);
	/* Compaction drops free pages and renumbers the rest: the copy is as
	 * small as the data and is taken in one read transaction. */
	rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
	mdb_env_close(env);
	if (rc != 0) {
		fprintf(stderr, "hearthd backup: copying %s failed: %s\n", data, mdb_strerror(rc));
		goto fail;
	}
	if (fsync(fd) != 0) {
		fprintf(stderr, "hearthd backup: cannot sync %s: %s\n", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	/* Read the copy back before it takes FILE's name: a backup that does
	 * not open is no backup. */
	if ((rc = backup_inspect(tmp, 1, &info, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd backup: the copy does not verify: %s\n", err);
		goto fail;
	}
	if (rename(tmp, to) != 0) {
		fprintf(stderr, "hearthd backup: cannot rename %s to %s: %s\n", tmp, to, strerror(errno));
		goto fail;
	}
	if (sync_parent(to) != 0) {
		fprintf(stderr, "hearthd backup: cannot sync the directory of %s: %s\n", to, strerror(errno));
		return 1;
	}
	if (stat(to, &st) != 0)
		st.st_size = 0;
	printf("backup: %s (%lld bytes, seq %llu, %llu records)\n", to, (long long)st.st_size,
	       (unsigned long long)info.seq, (unsigned long long)info.records);
	print_checkpoint(&info);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return 1;
}

/* ------------------------------------------------------------ restore */

static void restore_usage(FILE *f)
{
	fprintf(f,
	        "usage: hearthd restore --from FILE --data DIR [--force]\n"
	        "\n"
	        "Checks the backup FILE (every database walked, every record read), places\n"
	        "it as DIR/data.mdb, opens the restored store, verifies its audit chain,\n"
	        "and prints the checkpoint it ends at. Stop hearthd on DIR first.\n"
	        "\n"
	        "  --force   replace a store DIR already holds; the old data.mdb is kept\n"
	        "            as DIR/data.mdb.before-restore\n"
	        "\n"
	        "Exit status: 0 restored, 1 failed (bad backup, I/O), 2 bad usage or\n"
	        "refused (DIR holds a store and no --force, or a process has it open).\n");
}

/* The audit chain of the restored store (issue 5): every entry's hash and
 * every stored checkpoint against the chain. Signatures are not checked
 * here (restore has no key); `hearthd --verify-audit` with the audit key
 * checks them too. */
static int restore_verify_audit(const char *dir, char *msg, size_t len)
{
	uint64_t entries = 0, bad = 0;
	char why[400] = "";
	int rc = audit_verify_store(dir, NULL, &entries, &bad, why, sizeof(why));

	if (rc != 0) {
		if (bad)
			snprintf(msg, len, "entry %llu: %s", (unsigned long long)bad, why);
		else
			snprintf(msg, len, "%s", why[0] ? why : hearth_strerror(rc));
		return rc;
	}
	if (entries == 0)
		snprintf(msg, len, "no audit entries (an empty log)");
	else
		snprintf(msg, len, "chain verifies (%llu entries; signatures not checked here)",
		         (unsigned long long)entries);
	return 0;
}

/* True when some process has the LMDB environment in dir open: every
 * opener holds a shared fcntl lock on lock.mdb, so an exclusive one fails.
 * Replacing data.mdb under a live server would corrupt what it serves. */
static int store_in_use(const char *dir)
{
	char lock[1200];
	struct flock fl;
	int fd, busy;

	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	fd = open(lock, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 0;
	busy = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return busy;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char buf[1 << 16];
	int in = -1, out = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "cannot open %s: %s", from, strerror(errno));
		goto fail;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(err, errlen, "cannot create %s: %s", to, strerror(errno));
		goto fail;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", from, strerror(errno));
			goto fail;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
				goto fail;
			}
			off += w;
		}
	}
	if (fsync(out) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", to, strerror(errno));
		goto fail;
	}
	close(out);
	close(in);
	return 0;
fail:
	if (out >= 0) {
		close(out);
		unlink(to);
	}
	if (in >= 0)
		close(in);
	return HEARTH_EIO;
}

int restore_main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "data", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *data = NULL;
	char dbfile[1200], tmp[1200], old[1200], lock[1200], err[600], msg[600];
	backup_info src, got;
	struct stat st;
	int force = 0, c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'd': data = optarg; break;
		case 'F': force = 1; break;
		case 'h': restore_usage(stdout); return 0;
		default: fprintf(stderr, "hearthd: try 'hearthd restore --help'\n"); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hearthd restore: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (!from || !data) {
		fprintf(stderr, "hearthd restore: %s is required; usage: hearthd restore --from FILE --data DIR [--force]\n",
		        !from ? "--from FILE" : "--data DIR");
		return 2;
	}
	if (snprintf(dbfile, sizeof(dbfile), "%s/data.mdb", data) >= (int)sizeof(dbfile) ||
	    snprintf(tmp, sizeof(tmp), "%s/data.mdb.restore-tmp", data) >= (int)sizeof(tmp) ||
	    snprintf(old, sizeof(old), "%s/data.mdb.before-restore", data) >= (int)sizeof(old) ||
	    snprintf(lock, sizeof(lock), "%s/lock.mdb", data) >= (int)sizeof(lock)) {
		fprintf(stderr, "hearthd restore: --data path too long\n");
		return 2;
	}
	/* Refusals come first and touch nothing. */
	if (stat(dbfile, &st) == 0 && st.st_size > 0 && !force) {
		fprintf(stderr,
		        "hearthd restore: %s already holds a store (%s, %lld bytes); refusing to replace it. "
		        "Restore into an empty directory, or pass --force to replace it (the old file is kept as %s)\n",
		        data, dbfile, (long long)st.st_size, old);
		return 2;
	}
	if (store_in_use(data)) {
		fprintf(stderr, "hearthd restore: a process (hearthd?) has the store in %s open; stop it first\n", data);
		return 2;
	}
	/* The backup is checked before anything in DIR changes. */
	if ((rc = backup_inspect(from, 1, &src, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd restore: --from %s is not a sound backup: %s\n", from, err);
		return 1;
	}
	if (mkdir(data, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "hearthd restore: cannot create %s: %s\n", data, strerror(errno));
		return 1;
	}
	if (copy_file(from, tmp, err, sizeof(err)) != 0) {
		fprintf(stderr, "hearthd restore: %s\n", err);
		return 1;
	}
	if (stat(dbfile, &st) == 0 && rename(dbfile, old) != 0) {
		fprintf(stderr, "hearthd restore: cannot move the old store aside to %s: %s\n", old, strerror(errno));
		unlink(tmp);
		return 1;
	}
	/* The old lock file describes readers of the old file; nobody holds it
	 * (checked above), and LMDB makes a fresh one. */
	unlink(lock);
	if (rename(tmp, dbfile) != 0) {
		fprintf(stderr, "hearthd restore: cannot rename %s to %s: %s\n", tmp, dbfile, strerror(errno));
		unlink(tmp);
		return 1;
	}
	if (sync_parent(dbfile) != 0) {
		fprintf(stderr, "hearthd restore: cannot sync %s: %s\n", data, strerror(errno));
		return 1;
	}
	/* What is in place now must open as a store and read back the same. */
	if ((rc = backup_inspect(data, 0, &got, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd restore: the restored store in %s does not verify: %s\n", data, err);
		return 1;
	}
	if (got.seq != src.seq || got.entries != src.entries || got.records != src.records) {
		fprintf(stderr, "hearthd restore: the restored store differs from the backup (seq %llu vs %llu)\n",
		        (unsigned long long)got.seq, (unsigned long long)src.seq);
		return 1;
	}
	if ((rc = restore_verify_audit(data, msg, sizeof(msg))) != 0) {
		fprintf(stderr, "hearthd restore: the audit chain of the restored store does not verify: %s\n", msg);
		return 1;
	}
	printf("restored: %s from %s (seq %llu, %llu records, %llu entries checked)\n", data, from,
	       (unsigned long long)got.seq, (unsigned long long)got.records, (unsigned long long)got.entries);
	if (force && stat(old, &st) == 0)
		printf("previous store kept as %s\n", old);
	printf("audit: %s\n", msg);
	print_checkpoint(&got);
	return 0;
}
