/* test_chunks.c: the server's chunk store (server/db/chunks.c) on a real
 * LMDB store in a temporary directory: records stored before the index
 * existed are indexed once at start-up; a file is found only in the scope
 * of a branch whose record names it; chunks are taken in order, retries
 * change nothing, lengths and the quota are checked, and a file whose
 * chunks do not make up its hash is dropped with its quota given back. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <openssl/sha.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "common/record.h"
#include "server/db/chunks.h"
#include "server/db/store.h"

#define FILE_LEN (CHUNK_SIZE + 1000)

static uint8_t content[FILE_LEN];
static uint8_t file_hash[32];
static const uint8_t record_id[16] = { 7, 7, 7 };

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

typedef struct fixture {
	char dir[256];
	store s;
	actor who;
	store_scope b1, b2;
} fixture;

/* A member of branch b1 with one attachment naming content, written
 * straight into `records` as a store from before the index would hold it. */
static void put_record(fixture *f)
{
	Hearth__Member m = HEARTH__MEMBER__INIT;
	Hearth__Attachment a = HEARTH__ATTACHMENT__INIT, *list[1] = { &a };
	Hearth__Record rec = HEARTH__RECORD__INIT;
	MDB_txn *txn;
	MDB_val k = { 16, (void *)record_id }, v;
	uint8_t buf[1024];

	a.name = "photo.jpg";
	a.type = "image/jpeg";
	a.size = FILE_LEN;
	a.sha256.data = file_hash;
	a.sha256.len = 32;
	a.added_by = "";
	a.note = "";
	m.name = "王秀英";
	m.n_attachments = 1;
	m.attachments = list;
	rec.id.data = (uint8_t *)record_id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = "b1";
	rec.rev = 1;
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	v.mv_size = hearth__record__pack(&rec, buf);
	v.mv_data = buf;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, f->s.records, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[256];

	content[0] = 0xff, content[1] = 0xd8, content[2] = 0xff, content[3] = 0xe0;
	for (size_t i = 4; i < FILE_LEN; i++)
		content[i] = (uint8_t)(i * 2654435761u >> 13);
	SHA256(content, FILE_LEN, file_hash);
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/chunks-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(store_open(&f->s, f->dir, 64ull << 20, err, sizeof(err)), 0);
	f->who.role = HEARTH__ROLE__ROLE_BRANCH;
	snprintf(f->who.branch, sizeof(f->who.branch), "b1");
	f->b1.n = f->b2.n = 1;
	snprintf(f->b1.ids[0], sizeof(f->b1.ids[0]), "b1");
	snprintf(f->b2.ids[0], sizeof(f->b2.ids[0]), "b2");
	put_record(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	store_close(&f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int locate(fixture *f, const store_scope *sc, chunks_file *out)
{
	MDB_txn *txn;
	int rc;

	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	rc = chunks_locate(&f->s, txn, sc, "b1", file_hash, out);
	mdb_txn_abort(txn);
	return rc;
}

/* Chunk index of content (len bytes from off; 0: the chunk's own length). */
static int put(fixture *f, uint32_t index, size_t len, uint64_t quota, chunks_put_result *r)
{
	size_t off = (size_t)index * CHUNK_SIZE;
	size_t n;
	uint8_t h[32];
	MDB_txn *txn;
	int rc;

	if (off >= FILE_LEN)
		off = 0;              /* a chunk past the end: any bytes */
	n = len ? len : off + CHUNK_SIZE <= FILE_LEN ? CHUNK_SIZE : FILE_LEN - off;
	SHA256(content + off, n, h);
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
	rc = chunks_put(&f->s, txn, &(chunks_put_args){
		.who = &f->who, .scope = &f->b1, .file = file_hash, .index = index, .chunk_sha256 = h,
		.data = content + off, .len = n, .quota = quota, .now = 1 }, r);
	if (rc == 0)
		assert_int_equal(mdb_txn_commit(txn), 0);
	else
		mdb_txn_abort(txn);
	return rc;
}

static void test_index_existing_once(void **state)
{
	fixture *f = *state;
	chunks_file cf;
	uint64_t n;
	char err[256];

	assert_int_equal(locate(f, &f->b1, &cf), HEARTH_ENOTFOUND);
	assert_int_equal(chunks_index_existing(&f->s, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(locate(f, &f->b1, &cf), 0);
	assert_string_equal(cf.name, "photo.jpg");
	assert_int_equal(cf.size, FILE_LEN);
	assert_int_equal(cf.chunks, 2);
	assert_int_equal(cf.have, 0);
	/* Another branch is told nothing. */
	assert_int_equal(locate(f, &f->b2, &cf), HEARTH_ENOTFOUND);
	/* Done once: a second start reads nothing. */
	assert_int_equal(chunks_index_existing(&f->s, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
}

static void test_order_retry_length_complete(void **state)
{
	fixture *f = *state;
	chunks_put_result r;
	chunks_file cf;
	MDB_txn *txn;
	MDB_val data;
	uint64_t n;
	uint8_t h[32];
	char err[256];

	assert_int_equal(chunks_index_existing(&f->s, &n, err, sizeof(err)), 0);
	assert_int_equal(put(f, 1, 0, 0, &r), 0);
	assert_int_equal(r.refused, CHUNKS_AHEAD);
	assert_int_equal(put(f, 0, 100, 0, &r), 0);
	assert_int_equal(r.refused, CHUNKS_BAD_LENGTH);
	assert_int_equal(r.expect, CHUNK_SIZE);
	assert_int_equal(put(f, 0, 0, 0, &r), 0);
	assert_int_equal(r.refused, CHUNKS_TAKEN);
	assert_int_equal(r.file.have, 1);
	assert_int_equal(put(f, 0, 0, 0, &r), 0);
	assert_int_equal(r.refused, CHUNKS_TAKEN);
	assert_int_equal(r.file.have, 1);
	assert_int_equal(put(f, 2, 10, 0, &r), 0);
	assert_int_equal(r.refused, CHUNKS_PAST_END);
	assert_int_equal(put(f, 1, 0, 0, &r), 0);
	assert_int_equal(r.refused, CHUNKS_TAKEN);
	assert_true(r.finished);
	assert_true(r.file.complete);
	assert_int_equal(locate(f, &f->b1, &cf), 0);
	assert_true(cf.complete);
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(chunks_read(&f->s, txn, &cf, 1, &data, h), 0);
	assert_int_equal(data.mv_size, 1000);
	assert_memory_equal(data.mv_data, content + CHUNK_SIZE, 1000);
	mdb_txn_abort(txn);
}

static void test_quota_and_mismatch(void **state)
{
	fixture *f = *state;
	chunks_put_result r;
	uint64_t n;
	char err[256];

	assert_int_equal(chunks_index_existing(&f->s, &n, err, sizeof(err)), 0);
	assert_int_equal(put(f, 0, 0, FILE_LEN - 1, &r), 0);
	assert_int_equal(r.refused, CHUNKS_QUOTA);
	assert_int_equal(r.used, 0);
	assert_int_equal(put(f, 0, 0, FILE_LEN, &r), 0);
	assert_int_equal(r.refused, CHUNKS_TAKEN);
	/* The last chunk's bytes changed (its own hash still matches them):
	 * the file is not its name, and what was sent of it goes. */
	content[CHUNK_SIZE + 10] ^= 1;
	assert_int_equal(put(f, 1, 0, FILE_LEN, &r), 0);
	content[CHUNK_SIZE + 10] ^= 1;
	assert_int_equal(r.refused, CHUNKS_FILE_MISMATCH);
	assert_int_equal(r.file.have, 0);
	/* The quota was given back: the whole file fits again. */
	assert_int_equal(put(f, 0, 0, FILE_LEN, &r), 0);
	assert_int_equal(r.refused, CHUNKS_TAKEN);
	assert_int_equal(r.file.have, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_existing_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_retry_length_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_and_mismatch, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
