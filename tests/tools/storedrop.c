/* storedrop.c: a test tool that empties one named database of a stopped
 * server's store through the LMDB API, so a test can give hearthd a store
 * that looks like one from before that database (t_srvqueue.sh: the
 * index of open conflicts is then built again at start).
 *
 *   storedrop --data DIR --db NAME
 *
 * Exits 0 on success, 1 on failure (with the reason on stderr). */
#include <getopt.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "db", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *db = NULL;
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'd')
			dir = optarg;
		else if (o == 'b')
			db = optarg;
		else
			return 1;
	}
	if (!dir || !db) {
		fprintf(stderr, "usage: storedrop --data DIR --db NAME\n");
		return 1;
	}
	if ((rc = mdb_env_create(&env)) != 0 || (rc = mdb_env_set_maxdbs(env, 32)) != 0 ||
	    (rc = mdb_env_set_mapsize(env, (size_t)1 << 30)) != 0 || (rc = mdb_env_open(env, dir, MDB_NOTLS, 0600)) != 0)
		goto failed_env;
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		goto failed_env;
	if ((rc = mdb_dbi_open(txn, db, 0, &dbi)) != 0 || (rc = mdb_drop(txn, dbi, 0)) != 0)
		goto failed_txn;
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto failed_env;
	mdb_env_close(env);
	return 0;
failed_txn:
	mdb_txn_abort(txn);
failed_env:
	fprintf(stderr, "storedrop: %s: %s\n", db, mdb_strerror(rc));
	if (env)
		mdb_env_close(env);
	return 1;
}
