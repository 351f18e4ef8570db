/* fuzz_pull_apply.c: libFuzzer driver that applies arbitrary bytes, unpacked as a PullResponse, to a real client replica the way `hearth sync` applies a pull page. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/envelope.h"
#include "common/frame.h"
#include "common/hearth.h"
#include "common/record.h"
#include "client/core/replica.h"
#include "client/core/replica_sync.h"
#include "client/core/replica_meta.h"
#include "client/core/replica_conflicts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One replica for the whole run (opening LMDB per input would measure
 * mkdir, not the apply), holding two pending local edits whose ids the
 * seed corpus uses, so pages reach the rebase of local copies onto new
 * server copies, tombstones over local edits, and conflicts on them. */
static replica g_r;
static char g_dir[256];
static int g_ready;
static unsigned long g_runs;

static const uint8_t LOCAL1[16] = { 0x01, 0x90, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t LOCAL2[16] = { 0x01, 0x90, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 2 };

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (g_ready)
		replica_close(&g_r);
	g_ready = 0;
	if (g_dir[0])
		nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void local_edit(const uint8_t id[16], const char *name)
{
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	char err[512];

	m.name = (char *)name;
	m.gender = HEARTH__GENDER__GENDER_MALE;
	m.category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
	m.join_date = "2001-07-01";
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = "b001";
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	(void)replica_edit(&g_r, &rec, 1, err, sizeof(err));
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char err[1400];

	snprintf(g_dir, sizeof(g_dir), "%s/hearth-fuzz-pull.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(g_dir))
		abort();
	if (replica_open(&g_r, g_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_pull_apply: %s\n", err);
		abort();
	}
	g_ready = 1;
	atexit(cleanup);
	local_edit(LOCAL1, "本地一");
	local_edit(LOCAL2, "本地二");
}

/* The apply must answer 0 or a negative code with a message, never crash
 * or leak; after a successful apply the cursor has not gone backwards and
 * the stored state still reads back (status, digest, every record). Every
 * 512 runs the server copies are dropped, as the divergence check does,
 * so the replica stays small and the first-pull paths stay reachable. */
static int count_one(void *ctx, const Hearth__Record *rec)
{
	(void)rec;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* The client only ever sees a page through envelope_unpack (session.c),
 * which refuses what protobuf-c lets through but cannot re-encode; so the
 * input is wrapped as Envelope.pull_result (field 23) and unpacked the same
 * way. */
static Hearth__Envelope *as_envelope(const uint8_t *data, size_t size, uint8_t **frame, size_t *frame_len)
{
	Hearth__Envelope *env = NULL;
	uint8_t *buf;
	size_t n = 0, v = size;

	*frame = NULL;
	*frame_len = 0;
	if (size > HEARTH_FRAME_MAX_DEFAULT)
		return NULL;
	buf = malloc(size + 16);
	if (!buf)
		return NULL;
	buf[n++] = 0xba;   /* field 23, wire type 2 */
	buf[n++] = 0x01;
	do {
		buf[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	memcpy(buf + n, data, size);
	if (envelope_unpack(buf, n + size, HEARTH_FRAME_MAX_DEFAULT + 16, NULL, &env) != 0 ||
	    env->body_case != HEARTH__ENVELOPE__BODY_PULL_RESULT) {
		envelope_free(env, NULL);
		free(buf);
		return NULL;
	}
	*frame = buf;
	*frame_len = n + size;
	return env;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hearth__Envelope *env;
	Hearth__PullResponse *page;
	kind_digest_acc acc[REPLICA_MAX_KINDS], scan[REPLICA_MAX_KINDS];
	envelope_bytes *spans;
	uint8_t *frame;
	size_t frame_len;
	replica_status st;
	uint64_t before = 0, after = 0, n = 0;
	char err[1200];
	int rc;

	if (!g_ready)
		setup();
	if (++g_runs % 512 == 0)
		(void)replica_reset_server(&g_r);
	env = as_envelope(data, size, &frame, &frame_len);
	if (!env)
		return 0;
	page = env->pull_result;
	if (replica_cursor(&g_r, &before) != 0)
		abort();
	err[0] = '\0';
	/* Every other page goes in as a sync stores it, from the records' wire
	 * bytes (when the answer has the plain shape), the rest packed again. */
	spans = malloc((page->n_records ? page->n_records : 1) * sizeof(*spans));
	if (spans && (g_runs & 1) && envelope_pull_records(frame, frame_len, page->n_records, spans) == 0)
		rc = replica_apply_pull_page(&g_r, &(replica_pull_page){ .page = page, .record_bytes = spans }, err,
		                             sizeof(err));
	else
		rc = replica_apply_pull(&g_r, page, err, sizeof(err));
	free(spans);
	free(frame);
	if (rc > 0 || (rc < 0 && err[0] == '\0'))
		abort();
	if (rc == 0) {
		if (replica_cursor(&g_r, &after) != 0 || after < before)
			abort();
		if (page->cursor > before && after != page->cursor)
			abort();
	}
	envelope_free(env, NULL);
	if ((rc = replica_status_get(&g_r, &st)) != 0) {
		fprintf(stderr, "replica_status_get after apply: %s\n", hearth_strerror(rc));
		abort();
	}
	if ((rc = replica_digest(&g_r, NULL, acc)) != 0) {
		fprintf(stderr, "replica_digest after apply: %s\n", hearth_strerror(rc));
		abort();
	}
	/* The digests kept page by page are those of the stored copies. */
	if (replica_digest_scan(&g_r, NULL, scan) != 0 || memcmp(acc, scan, sizeof(acc)) != 0) {
		fprintf(stderr, "kept digests differ from a scan of the server copies\n");
		abort();
	}
	for (size_t i = 0; i < kind_count(); i++)
		(void)replica_each(&g_r, kind_at(i)->kind, 1, count_one, &n);
	return 0;
}
