/* test_attachment_edit.c: one attachment in or out of a record body's list
 * (the copy `KIND attach|detach` and hearth ui share), the refusals of a
 * name twice and of a full record, and the content store taking an upload
 * from memory and giving content back checked, its type from its bytes
 * (issue 18 item 1). */
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
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "client/core/attachment_edit.h"
#include "client/core/attachments.h"
#include "client/core/replica.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/kinds.h"
#include "common/record.h"

static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4 };

static Hearth__Record *new_visit(void)
{
	Hearth__Record *rec = malloc(sizeof(*rec));

	assert_non_null(rec);
	hearth__record__init(rec);
	assert_int_equal(record_set_body(rec, kind_by_name("visit"), NULL, 0), 0);
	return rec;
}

static void add(ProtobufCMessage *body, const char *name)
{
	attachment_file f = { .size = sizeof(png), .type = "image/png" };

	SHA256(png, sizeof(png), f.sha256);
	f.sha256[0] ^= (uint8_t)strlen(name);  /* each name its own content */
	assert_int_equal(attachment_edit_add(body, &(attachment_add){ .name = name, .file = &f, .added_by = "张三",
	                                                              .note = "合影" }),
	                 0);
}

static void test_add_remove(void **state)
{
	Hearth__Record *rec = new_visit();
	ProtobufCMessage *body = (ProtobufCMessage *)record_body(rec);
	Hearth__Attachment **list;
	char err[400];
	size_t n;

	(void)state;
	assert_int_equal(attachment_edit_check(body, "a.png", "R1", err, sizeof(err)), 0);
	add(body, "a.png");
	add(body, "bb.png");
	list = attachment_list(body, &n);
	assert_int_equal(n, 2);
	assert_string_equal(list[0]->name, "a.png");
	assert_string_equal(list[0]->type, "image/png");
	assert_string_equal(list[0]->added_by, "张三");
	assert_string_equal(list[0]->note, "合影");
	assert_int_equal(list[0]->sha256.len, 32);
	assert_true(list[0]->added_at > 0);
	assert_ptr_equal(attachment_edit_on_record(rec, list[1]->sha256.data), list[1]);
	assert_int_equal(attachment_edit_check(body, "a.png", "R1", err, sizeof(err)), HEARTH_EINVAL);
	assert_string_equal(err, "R1 already has an attachment named a.png; detach it first or rename the file");
	assert_int_equal(attachment_edit_remove(body, "nope.png"), HEARTH_ENOTFOUND);
	assert_int_equal(attachment_edit_remove(body, "a.png"), 0);
	list = attachment_list(body, &n);
	assert_int_equal(n, 1);
	assert_string_equal(list[0]->name, "bb.png");
	/* A deleted record gives no attachment to serve. */
	rec->deleted = 1;
	assert_null(attachment_edit_on_record(rec, list[0]->sha256.data));
	hearth__record__free_unpacked(rec, NULL);
}

static void test_full(void **state)
{
	Hearth__Record *rec = new_visit();
	ProtobufCMessage *body = (ProtobufCMessage *)record_body(rec);
	char name[32], err[400];

	(void)state;
	for (int i = 0; i < ATTACHMENTS_MAX; i++) {
		snprintf(name, sizeof(name), "%02d.png", i);
		add(body, name);
	}
	assert_int_equal(attachment_edit_check(body, "new.png", "R1", err, sizeof(err)), HEARTH_EINVAL);
	assert_string_equal(err, "R1 already has 32 attachments, the most a record holds");
	hearth__record__free_unpacked(rec, NULL);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void test_keep_data_and_read(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char dir[600], err[1400];
	static const uint8_t exe[] = { 'M', 'Z', 0x90, 0, 3, 0, 0, 0 };
	attachment_file f;
	char *data;
	size_t len;
	const char *type;
	replica r;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/attach_edit.XXXXXX", base ? base : "/tmp");
	if (base)
		(void)mkdir(base, 0700);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(replica_open(&r, dir, err, sizeof(err)), 0);
	assert_int_equal(attachments_keep_data(&r, exe, sizeof(exe), 0, "photo.png", 1024, &f, err, sizeof(err)),
	                 HEARTH_EINVAL);
	assert_string_equal(err, "photo.png is not a JPEG, PNG, PDF or office document (Word, Excel, PowerPoint); "
	                         "its type is told by its content, not its name");
	assert_int_equal(attachments_keep_data(&r, png, 4, 5000, "big.png", 1024 * 1024 * 2, &f, err, sizeof(err)),
	                 HEARTH_EINVAL);
	/* seen above the cap: refused by size, naming it */
	assert_int_equal(attachments_keep_data(&r, png, sizeof(png), 3 * 1024 * 1024, "big.png", 2 * 1024 * 1024, &f,
	                                       err, sizeof(err)),
	                 HEARTH_ETOOBIG);
	assert_string_equal(err, "big.png is larger than 2 MB, the most one attachment may be");
	assert_int_equal(attachments_keep_data(&r, png, 0, 0, "empty.png", 1024, &f, err, sizeof(err)), HEARTH_EINVAL);
	assert_string_equal(err, "empty.png is empty; an attachment needs content");
	assert_int_equal(attachments_keep_data(&r, png, sizeof(png), 0, "a.jpg", 1024, &f, err, sizeof(err)), 0);
	assert_string_equal(f.type, "image/png");
	assert_int_equal(f.size, sizeof(png));
	assert_true(attachments_have(&r, f.sha256, f.size));
	assert_int_equal(attachments_read(&r, f.sha256, "a.jpg", 1024, &data, &len, &type), 0);
	assert_int_equal(len, sizeof(png));
	assert_memory_equal(data, png, sizeof(png));
	assert_string_equal(type, "image/png");
	free(data);
	assert_int_equal(attachments_read(&r, f.sha256, "a.jpg", 4, &data, &len, &type), HEARTH_ETOOBIG);
	/* A stored copy that no longer matches its hash is not served. */
	{
		char p[1400];
		FILE *o;
		assert_int_equal(attachments_path(&r, f.sha256, NULL, p, sizeof(p)), 0);
		assert_non_null(o = fopen(p, "r+b"));
		fputc('X', o);
		fclose(o);
	}
	assert_int_equal(attachments_read(&r, f.sha256, "a.jpg", 1024, &data, &len, &type), HEARTH_ECORRUPT);
	assert_null(data);
	f.sha256[0] ^= 1;
	assert_int_equal(attachments_read(&r, f.sha256, "a.jpg", 1024, &data, &len, &type), HEARTH_ENOTFOUND);
	replica_close(&r);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_remove),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_keep_data_and_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
