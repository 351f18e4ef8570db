/* enums.c: the words people read and write for enum values: Chinese labels, aliases, short names, and parsing them back. */
#include "common/enums.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hearth.h"
#include "proto/hearth.pb-c.h"

/* --------------------------------------------------------- enum labels */

/* (enum, value) -> the label people read.  Generic so a new kind's enums
 * are one line each; an enum without entries falls back to its names. */
struct enum_text {
	const ProtobufCEnumDescriptor *d;
	int value;
	const char *text;
};

static const struct enum_text enum_labels[] = {
	{ &hearth__gender__descriptor, HEARTH__GENDER__GENDER_MALE, "男" },
	{ &hearth__gender__descriptor, HEARTH__GENDER__GENDER_FEMALE, "女" },
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_FULL, "正式党员" },
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY,
	  "预备党员" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_NORMAL, "正常" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_SUSPENDED, "停止党籍" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_DECEASED, "去世" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_LEFT, "出党" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_ELDERLY, "高龄" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_LIVES_ALONE, "独居" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_ILL, "患病" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_DISABLED, "残疾" },
#define L(E, V, T) { &hearth__##E##__descriptor, V, T }
	L(hardship_type, HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_LIVING, "生活困难"),
	L(hardship_type, HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ALONE, "独居"),
	L(hardship_type, HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ELDERLY, "高龄"),
	L(hardship_type, HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_FRAIL, "体弱"),
	L(hardship_type, HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ILL, "患病"),
	L(hardship_type, HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_DISABLED, "残疾"),
	L(hardship_level, HEARTH__HARDSHIP_LEVEL__HARDSHIP_LEVEL_GENERAL, "一般困难"),
	L(hardship_level, HEARTH__HARDSHIP_LEVEL__HARDSHIP_LEVEL_SERIOUS, "比较困难"),
	L(hardship_level, HEARTH__HARDSHIP_LEVEL__HARDSHIP_LEVEL_SEVERE, "特别困难"),
	L(hardship_status, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED, "在册"),
	L(hardship_status, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING, "帮扶中"),
	L(hardship_status, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED, "脱困"),
	L(hardship_status, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED, "移出"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL, "春节"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST, "七一"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_HOSPITAL, "住院"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_FAMILY_CHANGE, "家庭变故"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_HARDSHIP, "特殊困难"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_THOUGHT, "思想波动"),
	L(visit_occasion, HEARTH__VISIT_OCCASION__VISIT_OCCASION_OTHER, "其他"),
	L(fund_source, HEARTH__FUND_SOURCE__FUND_SOURCE_DUES, "党费"),
	L(fund_source, HEARTH__FUND_SOURCE__FUND_SOURCE_ADMIN, "行政经费"),
	L(fund_source, HEARTH__FUND_SOURCE__FUND_SOURCE_UNION, "工会经费"),
	L(fund_source, HEARTH__FUND_SOURCE__FUND_SOURCE_HIGHER, "上级下拨"),
	L(fund_source, HEARTH__FUND_SOURCE__FUND_SOURCE_DONATION, "社会捐助"),
	L(fund_source, HEARTH__FUND_SOURCE__FUND_SOURCE_OTHER, "其他"),
	L(visit_status, HEARTH__VISIT_STATUS__VISIT_STATUS_PLANNED, "计划"),
	L(visit_status, HEARTH__VISIT_STATUS__VISIT_STATUS_DONE, "已走访"),
	L(visit_status, HEARTH__VISIT_STATUS__VISIT_STATUS_CANCELLED, "已取消"),
	L(talk_form, HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL, "个别谈话"),
	L(talk_form, HEARTH__TALK_FORM__TALK_FORM_GROUP, "集体谈话"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_HARDSHIP, "困难"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_CONFLICT, "矛盾"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_MISTAKE, "失误"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_PROBLEM, "问题"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_PROMOTION, "提拔"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_ROUTINE, "日常"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_THOUGHT, "思想波动"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_TRANSFER, "组织关系转接"),
	L(talk_trigger, HEARTH__TALK_TRIGGER__TALK_TRIGGER_HONOR, "表彰"),
	L(pairing_mode, HEARTH__PAIRING_MODE__PAIRING_MODE_ORGANIZATION, "组织结对"),
	L(pairing_mode, HEARTH__PAIRING_MODE__PAIRING_MODE_MEMBER, "党员结对"),
	L(pairing_mode, HEARTH__PAIRING_MODE__PAIRING_MODE_VOLUNTEER, "志愿行动"),
	L(pairing_status, HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE, "帮扶中"),
	L(pairing_status, HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED, "已结束"),
	L(pairing_outcome, HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_RESOLVED, "已脱困"),
	L(pairing_outcome, HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_IMPROVED, "有改善"),
	L(pairing_outcome, HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_UNCHANGED, "无明显变化"),
	L(pairing_outcome, HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_ENDED, "中止"),
	L(honor_title, HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_MEMBER, "优秀共产党员"),
	L(honor_title, HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_WORKER, "优秀党务工作者"),
	L(honor_title, HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG, "先进基层党组织"),
	L(honor_title, HEARTH__HONOR_TITLE__HONOR_TITLE_INNOVATION, "创新成果奖"),
	L(honor_title, HEARTH__HONOR_TITLE__HONOR_TITLE_OTHER, "其他"),
	L(honor_status, HEARTH__HONOR_STATUS__HONOR_STATUS_NOMINATED, "推荐"),
	L(honor_status, HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED, "已批准"),
	L(honor_status, HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED, "已颁发"),
	L(honor_status, HEARTH__HONOR_STATUS__HONOR_STATUS_REVOKED, "已撤销"),
	L(activity_type, HEARTH__ACTIVITY_TYPE__ACTIVITY_TYPE_ORG_DAY, "党组织活动日"),
	L(activity_type, HEARTH__ACTIVITY_TYPE__ACTIVITY_TYPE_PIONEER_POST, "党员先锋岗"),
	L(activity_type, HEARTH__ACTIVITY_TYPE__ACTIVITY_TYPE_DEDICATION_DAY, "党员奉献日"),
	L(activity_type, HEARTH__ACTIVITY_TYPE__ACTIVITY_TYPE_OTHER, "其他"),
	L(disclosure_category, HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_ELECTION, "选举"),
	L(disclosure_category, HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_DECISION, "重大决策"),
	L(disclosure_category, HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_DEVELOPMENT,
	  "发展党员"),
	L(disclosure_category, HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_DUES_COLLECTION,
	  "党费收缴"),
	L(disclosure_category, HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_DUES_USE, "党费使用"),
	L(disclosure_category, HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_OTHER, "其他"),
	L(disclosure_channel, HEARTH__DISCLOSURE_CHANNEL__DISCLOSURE_CHANNEL_BOARD, "公开栏"),
	L(disclosure_channel, HEARTH__DISCLOSURE_CHANNEL__DISCLOSURE_CHANNEL_MEETING, "会议"),
	L(disclosure_channel, HEARTH__DISCLOSURE_CHANNEL__DISCLOSURE_CHANNEL_ONLINE, "网络平台"),
	L(disclosure_channel, HEARTH__DISCLOSURE_CHANNEL__DISCLOSURE_CHANNEL_OTHER, "其他"),
	L(dues_method, HEARTH__DUES_METHOD__DUES_METHOD_CASH, "现金"),
	L(dues_method, HEARTH__DUES_METHOD__DUES_METHOD_BANK, "银行转账"),
	L(dues_method, HEARTH__DUES_METHOD__DUES_METHOD_WECHAT, "微信"),
	L(dues_method, HEARTH__DUES_METHOD__DUES_METHOD_ALIPAY, "支付宝"),
	L(dues_method, HEARTH__DUES_METHOD__DUES_METHOD_PAYROLL, "工资代扣"),
	L(dues_method, HEARTH__DUES_METHOD__DUES_METHOD_OTHER, "其他"),
	L(dues_status, HEARTH__DUES_STATUS__DUES_STATUS_UNPAID, "未缴"),
	L(dues_status, HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL, "部分缴纳"),
	L(dues_status, HEARTH__DUES_STATUS__DUES_STATUS_PAID, "已缴"),
	L(dues_status, HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT, "免缴"),
	L(dues_group, HEARTH__DUES_GROUP__DUES_GROUP_EMPLOYED, "在职"),
	L(dues_group, HEARTH__DUES_GROUP__DUES_GROUP_RETIRED, "离退休"),
	L(dues_group, HEARTH__DUES_GROUP__DUES_GROUP_STUDENT, "学生"),
	L(dues_group, HEARTH__DUES_GROUP__DUES_GROUP_UNEMPLOYED, "失业"),
	L(dues_group, HEARTH__DUES_GROUP__DUES_GROUP_LOW_INCOME, "低保"),
	L(dues_group, HEARTH__DUES_GROUP__DUES_GROUP_FARMER, "农民"),
	L(transfer_status, HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_PENDING, "待接收"),
	L(transfer_status, HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED, "已接收"),
	L(transfer_status, HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED, "已退回"),
#undef L
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_MEMBER, "党员" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HARDSHIP, "困难党员" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_VISIT, "走访慰问" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_TALK, "谈心谈话" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_PAIRING, "结对帮扶" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HONOR, "表彰激励" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_ACTIVITY, "主题活动" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_DISCLOSURE, "党务公开" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_DUES, "党费" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_TRANSFER, "组织关系转接" },
};

/* Other words people write for a value; accepted by enum_parse only. */
static const struct enum_text enum_aliases[] = {
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_FULL, "正式" },
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY,
	  "预备" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_LEFT, "退党" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HARDSHIP, "困难党员台账" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HONOR, "表彰" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HONOR, "表彰/激励" },
	{ &hearth__talk_form__descriptor, HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL, "个别" },
	{ &hearth__talk_form__descriptor, HEARTH__TALK_FORM__TALK_FORM_GROUP, "集体" },
	{ &hearth__hardship_status__descriptor, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED,
	  "已脱困" },
	{ &hearth__honor_title__descriptor, HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG,
	  "先进党组织" },
	{ &hearth__activity_type__descriptor, HEARTH__ACTIVITY_TYPE__ACTIVITY_TYPE_ORG_DAY,
	  "主题党日" },
	{ &hearth__dues_status__descriptor, HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT, "免交" },
	{ &hearth__dues_status__descriptor, HEARTH__DUES_STATUS__DUES_STATUS_PAID, "已交" },
	{ &hearth__dues_group__descriptor, HEARTH__DUES_GROUP__DUES_GROUP_RETIRED, "退休" },
	{ &hearth__dues_group__descriptor, HEARTH__DUES_GROUP__DUES_GROUP_RETIRED, "离休" },
};

/* Length of the prefix all value names share, up to and including its last
 * underscore: "GENDER_" for GENDER_MALE/GENDER_FEMALE, "CARE_" for the
 * care tags.  Derived from the descriptor so new enums need no table. */
static size_t name_prefix_len(const ProtobufCEnumDescriptor *d)
{
	size_t lcp, cut = 0;

	if (d->n_values == 0)
		return 0;
	lcp = strlen(d->values[0].name);
	for (unsigned i = 1; i < d->n_values; i++) {
		size_t j = 0;

		while (j < lcp && d->values[i].name[j] == d->values[0].name[j])
			j++;
		lcp = j;
	}
	for (size_t j = 0; j < lcp; j++) {
		if (d->values[0].name[j] == '_')
			cut = j + 1;
	}
	return cut;
}

/* The zero value named *_UNSPECIFIED means "not set"; it is reached only
 * by clearing (""), never by naming it. */
static int is_unspecified(const ProtobufCEnumValue *v)
{
	size_t n = strlen(v->name);

	return v->value == 0 && n >= 11 && strcmp(v->name + n - 11, "UNSPECIFIED") == 0;
}

/* Compares a short name ("LIVES_ALONE") with what was typed ("lives-alone"):
 * case-insensitive, '-' and '_' the same. */
static int short_name_eq(const char *name, const char *text)
{
	for (; *name != '\0' && *text != '\0'; name++, text++) {
		char a = *name, b = *text;

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (b == '-')
			b = '_';
		if (a != b)
			return 0;
	}
	return *name == '\0' && *text == '\0';
}

/* Tries, in order: "" (clear), a decimal number, the Chinese label, an
 * alias, the full value name, the short name.  A number must be a value the
 * enum knows, so a typo cannot store an unknown value. */
int enum_parse(const ProtobufCEnumDescriptor *d, const char *text, int *value)
{
	size_t prefix;

	if (d == NULL || text == NULL)
		return HEARTH_EINVAL;
	if (text[0] == '\0') {
		*value = 0;
		return 0;
	}
	if ((text[0] >= '0' && text[0] <= '9') || (text[0] == '-' && text[1] != '\0')) {
		char *end;
		long v = strtol(text, &end, 10);
		const ProtobufCEnumValue *ev;

		if (*end != '\0' || v < -2147483647L || v > 2147483647L)
			return HEARTH_EINVAL;
		ev = protobuf_c_enum_descriptor_get_value(d, (int)v);
		if (ev == NULL || is_unspecified(ev))
			return HEARTH_EINVAL;
		*value = ev->value;
		return 0;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(enum_labels); i++) {
		if (enum_labels[i].d == d && strcmp(enum_labels[i].text, text) == 0) {
			*value = enum_labels[i].value;
			return 0;
		}
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(enum_aliases); i++) {
		if (enum_aliases[i].d == d && strcmp(enum_aliases[i].text, text) == 0) {
			*value = enum_aliases[i].value;
			return 0;
		}
	}
	prefix = name_prefix_len(d);
	for (unsigned i = 0; i < d->n_values; i++) {
		const ProtobufCEnumValue *ev = &d->values[i];

		if (is_unspecified(ev))
			continue;
		if (strcasecmp(ev->name, text) == 0 || short_name_eq(ev->name + prefix, text)) {
			*value = ev->value;
			return 0;
		}
	}
	return HEARTH_EINVAL;
}

/* The fallback is the value name without its prefix as the descriptor
 * spells it ("ADMIN"): upper-case, because a static string cannot be
 * lower-cased in place.  Use enum_short_name for the lower-case word. */
const char *enum_label(const ProtobufCEnumDescriptor *d, int value)
{
	const ProtobufCEnumValue *ev;

	if (d == NULL)
		return "?";
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(enum_labels); i++) {
		if (enum_labels[i].d == d && enum_labels[i].value == value)
			return enum_labels[i].text;
	}
	ev = protobuf_c_enum_descriptor_get_value(d, value);
	if (ev == NULL)
		return "?";
	return ev->name + name_prefix_len(d);
}

/* An unknown value (proto3 keeps them) is written as its number, so a
 * listing still shows what is stored. */
void enum_short_name(const ProtobufCEnumDescriptor *d, int value, char *out, size_t cap)
{
	const ProtobufCEnumValue *ev;
	const char *s;
	size_t i;

	if (cap == 0)
		return;
	ev = d != NULL ? protobuf_c_enum_descriptor_get_value(d, value) : NULL;
	if (ev == NULL) {
		snprintf(out, cap, "%d", value);
		return;
	}
	s = ev->name + name_prefix_len(d);
	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[i] = '\0';
}
