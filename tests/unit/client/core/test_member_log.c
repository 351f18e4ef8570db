/* test_member_log.c: a talk owed and a contact are appended as the CLI and the web page both append them: every text copied, NULL stored as empty, an unknown reason refused with the triggers listed, a full list refused naming the record, and the record freed whole by protobuf-c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "client/core/member_log.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* A member as replica_get returns one: allocated by protobuf-c. */
static Hearth__Member *new_member(void)
{
	Hearth__Member m = HEARTH__MEMBER__INIT, *out;
	uint8_t buf[64];
	size_t n;

	m.name = "张三";
	n = hearth__member__pack(&m, buf);
	out = hearth__member__unpack(NULL, n, buf);
	assert_non_null(out);
	return out;
}

static void test_need_appended(void **state)
{
	Hearth__Member *m = new_member();
	char why[300] = "";

	(void)state;
	assert_int_equal(member_log_add_need(m, &(member_log_line){ .reason = "矛盾", .date = "2027-03-10",
	                                                              .note = "邻里纠纷" },
	                                     why, sizeof(why)),
	                 0);
	assert_int_equal(m->n_talk_needs, 1);
	assert_int_equal(m->talk_needs[0]->reason, HEARTH__TALK_TRIGGER__TALK_TRIGGER_CONFLICT);
	assert_string_equal(m->talk_needs[0]->date, "2027-03-10");
	assert_string_equal(m->talk_needs[0]->note, "邻里纠纷");
	assert_string_equal(m->talk_needs[0]->by, "");
	hearth__member__free_unpacked(m, NULL);
}

static void test_bad_reason_refused(void **state)
{
	Hearth__Member *m = new_member();
	char why[300] = "";

	(void)state;
	assert_non_null(setlocale(LC_MESSAGES, "C"));
	assert_int_equal(member_log_add_need(m, &(member_log_line){ .reason = "吵架", .date = "2027-03-10" }, why,
	                                     sizeof(why)),
	                 HEARTH_EINVAL);
	assert_string_equal(why, "--reason \"吵架\" is not a talk trigger (困难, 矛盾, 失误, 问题, 提拔, 日常, "
	                         "思想波动, 组织关系转接, 表彰)");
	assert_int_equal(m->n_talk_needs, 0);
	hearth__member__free_unpacked(m, NULL);
}

static void test_contact_appended_and_full(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	Hearth__Member *m = new_member();
	char why[300] = "";

	(void)state;
	assert_non_null(member_log_notes_field(k));
	assert_null(member_log_notes_field(kind_find(HEARTH__KIND__KIND_HONOR)));
	for (int i = 0; i < 200; i++)
		assert_int_equal(member_log_add_note(k, (ProtobufCMessage *)m,
		                                     &(member_log_line){ .date = "2027-03-01", .channel = "电话",
		                                                         .note = "近况良好", .record = "张三" },
		                                     why, sizeof(why)),
		                 0);
	assert_int_equal(m->n_contacts, 200);
	assert_string_equal(m->contacts[199]->channel, "电话");
	assert_int_equal(member_log_add_note(k, (ProtobufCMessage *)m,
	                                     &(member_log_line){ .date = "2027-03-02", .note = "x", .record = "张三" },
	                                     why, sizeof(why)),
	                 HEARTH_EINVAL);
	assert_string_equal(why, "张三 already has 200 notes, the most a record holds");
	assert_int_equal(m->n_contacts, 200);
	hearth__member__free_unpacked(m, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_appended),
		cmocka_unit_test(test_bad_reason_refused),
		cmocka_unit_test(test_contact_appended_and_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
