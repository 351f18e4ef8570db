/* test_mask.c: every sensitive field of every kind, masked, still leaves at least RECORD_MASK_CANDIDATES values once the record's unmasked fields are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "common/record.h"

/* The samples belong to a male member born 1990-01-01: birth_date gives id
 * digits 7-14 and gender the parity of digit 17. */
static const int male = 1;

/* Candidates for a masked id card: digits 1-2 (province) follow from the
 * address, 7-14 from birth_date, and the parity of 17 from gender; the
 * county digits 3-6 and the sequence digits 15-16 are free, digit 17 has 5
 * values of the right parity, and a visible check character leaves one
 * number in 11 of the rest. */
static double id_card_candidates(const char *value, const char *masked)
{
	double c = 1;

	assert_int_equal(strlen(masked), 18);
	assert_memory_equal(value + 6, "19900101", 8);
	assert_int_equal((value[16] - '0') % 2, male);
	for (int i = 0; i < 18; i++) {
		if (masked[i] != '*') {
			assert_int_equal(masked[i], value[i]);
			continue;
		}
		if (i < 2 || (i >= 6 && i < 14))
			continue;          /* known from address or birth date */
		c *= i == 16 ? 5 : i == 17 ? 11 : 10;
	}
	if (masked[17] != '*')
		c /= 11;
	return c;
}

/* Candidates for a masked phone: nothing else in a member names its digits;
 * each hidden digit is 10 values, a hidden separator is known from the
 * shape. */
static double phone_candidates(const char *value, const char *masked)
{
	double c = 1;

	assert_int_equal(strlen(masked), strlen(value));
	for (size_t i = 0; value[i] != '\0'; i++) {
		if (masked[i] != '*')
			assert_int_equal(masked[i], value[i]);
		else if (value[i] >= '0' && value[i] <= '9')
			c *= 10;
	}
	return c;
}

/* Candidates for masked free text: a hidden digit 10, another ASCII
 * character 26, a hidden CJK character counted at only 100 (a few thousand
 * are in daily use). */
static double text_candidates(const char *value, const char *masked)
{
	const unsigned char *v = (const unsigned char *)value;
	double c = 1;
	size_t i = 0, m = 0;

	while (v[i] != '\0') {
		size_t n = v[i] < 0x80 ? 1 : v[i] < 0xe0 ? 2 : v[i] < 0xf0 ? 3 : 4;

		if (masked[m] == '*') {
			c *= v[i] >= '0' && v[i] <= '9' ? 10 : v[i] < 0x80 ? 26 : 100;
			m++;
		} else {
			assert_memory_equal(masked + m, value + i, n);
			m += n;
		}
		i += n;
	}
	assert_int_equal(masked[m], '\0');
	return c;
}

static const char *const id_cards[] = { "110101199001011237", "44030519900101301X",
	                                "350203199001010034" };
static const char *const phones[] = { "13911111111", "+86 139-1111-1111", "010-62345678",
	                              "62345678", "6234567", "021 6234 5678" };
static const char *const texts[] = { "低保户", "高血压，长期服药", "家中三口人，父亲卧床",
	                             "独居老人, 需要定期探望", "谈话中表示愿意继续为社区服务。" };

static void check(const kind_info *k, const field_rule *r, const char *value,
                  double (*model)(const char *, const char *))
{
	char masked[256];
	double c;

	record_mask(value, masked, sizeof(masked));
	c = model(value, masked);
	if (c < RECORD_MASK_CANDIDATES)
		fail_msg("%s.%s: %s masks to %s, leaving only %.2f candidates", k->name,
		         r->label, value, masked, c);
}

/* Walks the kind table, so a new sensitive field fails here until its
 * masking has a candidate model. */
static void test_mask_candidates(void **state)
{
	size_t fields = 0;

	(void)state;
	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *k = kind_at(i);

		for (size_t j = 0; j < k->n_rules; j++) {
			const field_rule *r = &k->rules[j];
			const ProtobufCFieldDescriptor *fd =
				protobuf_c_message_descriptor_get_field(k->desc, r->number);

			if ((r->flags & FIELD_SENSITIVE) == 0)
				continue;
			assert_non_null(fd);
			fields++;
			if (r->flags & FIELD_MONEY) {
				/* An amount is shown as "***": no digit is visible, and
				 * incomes of 0 to 9,999.99 yuan are all 10^6 candidates. */
				assert_int_not_equal(fd->type, PROTOBUF_C_TYPE_STRING);
				continue;
			}
			assert_int_equal(fd->type, PROTOBUF_C_TYPE_STRING);
			if (k->kind == HEARTH__KIND__KIND_MEMBER && strcmp(fd->name, "id_card") == 0) {
				for (size_t s = 0; s < HEARTH_ARRAY_LEN(id_cards); s++)
					check(k, r, id_cards[s], id_card_candidates);
			} else if (k->kind == HEARTH__KIND__KIND_MEMBER &&
			           strcmp(fd->name, "phone") == 0) {
				for (size_t s = 0; s < HEARTH_ARRAY_LEN(phones); s++)
					check(k, r, phones[s], phone_candidates);
			} else if (r->flags & FIELD_MULTILINE) {
				for (size_t s = 0; s < HEARTH_ARRAY_LEN(texts); s++)
					check(k, r, texts[s], text_candidates);
			} else {
				fail_msg("%s.%s is sensitive but has no candidate model here", k->name,
				         fd->name);
			}
		}
	}
	assert_int_equal(fields, 6);
}

/* The shapes the rule produces, as people will see them. */
static void test_mask_shapes(void **state)
{
	char out[64];

	(void)state;
	record_mask("110101199001011237", out, sizeof(out));
	assert_string_equal(out, "1****************7");
	record_mask("13911111111", out, sizeof(out));
	assert_string_equal(out, "139****1111");
	record_mask("62345678", out, sizeof(out));
	assert_string_equal(out, "****5678");
	record_mask("6234567", out, sizeof(out));
	assert_string_equal(out, "****567");
	record_mask("010-62345678", out, sizeof(out));
	assert_string_equal(out, "010*****5678");
}

/* A stand-in masks exactly as the value does, and every character the
 * mask hides is gone from it (digits read 0, the rest '*'). */
static void test_mask_stand_in(void **state)
{
	static const char *const more[] = { "", "12", "1234", "12345", "欧阳娜娜娜", "\xff\xfe\xfd\xfc\xfb\xfa",
		                            "12345678901234567A", "12345678901234567中", "1 2 3 4 5 6 7",
		                            "+86 139-1111-1111X" };
	const char *const *lists[] = { id_cards, phones, texts, more };
	const size_t counts[] = { HEARTH_ARRAY_LEN(id_cards), HEARTH_ARRAY_LEN(phones), HEARTH_ARRAY_LEN(texts),
		                  HEARTH_ARRAY_LEN(more) };
	char out[256], a[256], b[256];

	(void)state;
	for (size_t l = 0; l < HEARTH_ARRAY_LEN(lists); l++)
		for (size_t i = 0; i < counts[l]; i++) {
			const char *v = lists[l][i];
			record_mask_stand_in(v, out, sizeof(out));
			record_mask(v, a, sizeof(a));
			record_mask(out, b, sizeof(b));
			if (strcmp(a, b) != 0)
				fail_msg("%s masks to %s but its stand-in %s masks to %s", v, a, out, b);
			for (size_t j = 0; a[j] && out[j]; j++)
				if (a[j] == '*' && out[j] != '*' && out[j] != '0' && out[j] != '+' && out[j] != '-' &&
				    out[j] != ' ')
					fail_msg("%s: stand-in %s keeps a hidden character at %zu", v, out, j);
		}
	record_mask_stand_in("13912341111", out, sizeof(out));
	assert_string_equal(out, "13900001111");
	record_mask_stand_in("110101199001011237", out, sizeof(out));
	assert_string_equal(out, "100000000000000007");
	record_mask_stand_in("高血压，长期服药", out, sizeof(out));
	assert_string_equal(out, "高******药");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_candidates),
		cmocka_unit_test(test_mask_shapes),
		cmocka_unit_test(test_mask_stand_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
