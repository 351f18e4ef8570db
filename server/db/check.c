/* check.c: reads a whole store offline and says what is damaged: the file
 * against its meta pages, every named database with cursors and every
 * record body, then the audit chain. */
#include "server/db/check.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/hearth.h"
#include "server/db/audit_log.h"
#include "server/db/backup.h"
#include "server/db/chunks.h"
#include "server/db/store.h"

static void check_usage(FILE *f)
{
	fprintf(f,
	        "usage: hearthd check --data DIR\n"
	        "\n"
	        "Reads the store in DIR without changing it: the file against LMDB's meta\n"
	        "pages, every page of every named database (walked with cursors), every\n"
	        "record body, every attachment chunk against its SHA-256 and every file's\n"
	        "list of chunks, and the audit chain with its checkpoints. Stop hearthd\n"
	        "first or run it on a copy.\n"
	        "\n"
	        "Exit status: 0 sound, 1 damaged (what is named on stderr), 2 bad usage or\n"
	        "no store in DIR.\n");
}

static void say_damage(void *arg, const char *line)
{
	fprintf(stderr, "hearthd check: DAMAGED: %s: %s\n", (const char *)arg, line);
}

/* Every chunk read back against its hash and every file's chunk list
 * against the chunks (chunks_check). Returns 0 or -1 after naming the
 * damage. */
static int check_chunks(const char *data, const char *file)
{
	chunks_check_result r;
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	char err[1400];
	int rc;

	if ((rc = backup_open_ro(data, 0, &env, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd check: DAMAGED: %s\n", err);
		return -1;
	}
	rc = store_err(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
	if (rc == 0)
		rc = chunks_check(txn, &r, say_damage, (void *)file);
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(env);
	if (rc != 0) {
		fprintf(stderr, "hearthd check: DAMAGED: %s: attachment chunks: %s\n", file, hearth_strerror(rc));
		return -1;
	}
	if (r.bad)
		return -1;
	printf("check: attachment content reads back (%llu chunks, %llu files)\n", (unsigned long long)r.chunks,
	       (unsigned long long)r.files);
	return 0;
}

int check_main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL;
	char file[1100], err[1400], why[400] = "";
	uint64_t entries = 0, bad = 0;
	backup_info info;
	struct stat st;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'h': check_usage(stdout); return CHECK_SOUND;
		default: fprintf(stderr, "hearthd: try 'hearthd check --help'\n"); return CHECK_USAGE;
		}
	}
	if (optind < argc || !data) {
		fprintf(stderr, "hearthd check: usage: hearthd check --data DIR\n");
		return CHECK_USAGE;
	}
	snprintf(file, sizeof(file), "%s/data.mdb", data);
	if (stat(file, &st) != 0) {
		fprintf(stderr, "hearthd check: --data %s: no store there (%s: %s)\n", data, file, strerror(errno));
		return CHECK_USAGE;
	}
	if ((rc = store_precheck(data, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd check: DAMAGED: %s\n", err);
		return CHECK_DAMAGED;
	}
	printf("check: %s: size matches its meta pages (%lld bytes)\n", file, (long long)st.st_size);
	if ((rc = backup_inspect(data, 0, &info, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd check: DAMAGED: %s: %s\n", file, err);
		return CHECK_DAMAGED;
	}
	printf("check: every database and record read (%llu entries, %llu records, seq %llu)\n",
	       (unsigned long long)info.entries, (unsigned long long)info.records, (unsigned long long)info.seq);
	if ((rc = audit_verify_store(data, NULL, &entries, &bad, why, sizeof(why))) != 0) {
		if (bad)
			fprintf(stderr, "hearthd check: DAMAGED: %s: audit entry %llu: %s\n", file, (unsigned long long)bad, why);
		else
			fprintf(stderr, "hearthd check: DAMAGED: %s: audit log: %s\n", file, why[0] ? why : hearth_strerror(rc));
		return CHECK_DAMAGED;
	}
	if ((rc = check_chunks(data, file)) != 0)
		return CHECK_DAMAGED;
	printf("check: audit chain verifies (%llu entries; signatures: hearthd --verify-audit)\n",
	       (unsigned long long)entries);
	printf("check: %s is sound\n", data);
	return CHECK_SOUND;
}
