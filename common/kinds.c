/* kinds.c: the kind table: each kind's body message, field rules and labels, the lookups over it, and each kind's cross-field checks. */
#include "common/kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/attachment.h"
#include "common/date.h"
#include "common/dues_rate.h"
#include "common/enums.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record_error.h"
#include "common/uuid.h"

/* ------------------------------------------------------------ the table */

/* Field rules of a member (党员).  Field-specific formats that the generic
 * flags cannot express (the id-card check digit, the phone alphabet) are
 * in member_check. */
static const field_rule member_rules[] = {
	{ 1, FIELD_REQUIRED, 64, "姓名" },
	{ 2, 0, 0, "性别" },
	{ 3, 0, 32, "民族" },
	{ 4, FIELD_DATE, 0, "出生日期" },
	{ 5, FIELD_SENSITIVE, 18, "身份证号" },
	{ 6, 0, 32, "学历" },
	{ 7, 0, 0, "类别" },
	{ 8, FIELD_DATE, 0, "入党日期" },
	{ 9, FIELD_DATE, 0, "转正日期" },
	{ 10, 0, 0, "党籍状态" },
	{ 11, 0, 0, "流动党员" },
	{ 12, 0, 0, "失联党员" },
	{ 13, 0, 200, "流向" },
	{ 14, FIELD_SENSITIVE, 20, "联系电话" },
	{ 15, 0, 200, "地址" },
	{ 16, 0, 8, "关怀标签" },
	{ 17, FIELD_MULTILINE, 2000, "备注" },
	{ 18, 0, 0, "党费类别" },
	{ 19, FIELD_MONEY, 0, "党费基数" },
	{ 20, 0, 200, "联系记录" },
	{ 21, 0, 50, "需谈话事项" },
};

static int member_check(const ProtobufCMessage *body, record_error *err);

/* ------------------------------------------- care and assistance kinds
 *
 * Member references are FIELD_ID fields: a 16-byte member record id, which
 * server/refs.c resolves in the record's branch.  Limits are what a branch
 * ledger (台账) holds: names 64 bytes, short text 200, free text 2000. */

static const field_rule hardship_rules[] = {
	{ 1, FIELD_REQUIRED | FIELD_ID, 0, "党员" },
	{ 2, FIELD_REQUIRED, 6, "困难类型" },
	{ 3, 0, 0, "困难程度" },
	{ 4, FIELD_MULTILINE, 2000, "困难情况" },
	{ 5, FIELD_MONEY | FIELD_SENSITIVE, 0, "家庭人均月收入" },
	{ 6, FIELD_MULTILINE | FIELD_SENSITIVE, 2000, "家庭状况" },
	{ 7, FIELD_MULTILINE | FIELD_SENSITIVE, 2000, "健康状况" },
	{ 8, 0, 64, "认定人" },
	{ 9, FIELD_DATE, 0, "认定日期" },
	{ 10, 0, 0, "统计年度" },
	{ 11, FIELD_REQUIRED, 0, "状态" },
	{ 12, FIELD_DATE, 0, "脱困/移出日期" },
	{ 13, 0, 200, "脱困/移出原因" },
	{ 14, FIELD_MULTILINE, 2000, "备注" },
};

static const field_rule visit_rules[] = {
	{ 1, FIELD_REQUIRED | FIELD_ID, 50, "走访对象" },
	{ 2, FIELD_REQUIRED, 0, "慰问事由" },
	{ 3, FIELD_REQUIRED | FIELD_DATE, 0, "走访日期" },
	{ 4, 0, 20, "走访人" },
	{ 5, FIELD_MONEY, 0, "慰问金" },
	{ 6, 0, 200, "慰问品" },
	{ 7, FIELD_MONEY, 0, "慰问品折价" },
	{ 8, 0, 0, "经费来源" },
	{ 9, 0, 0, "状态" },
	{ 10, FIELD_MULTILINE, 2000, "备注" },
};

static const field_rule talk_rules[] = {
	{ 1, FIELD_REQUIRED, 0, "谈话形式" },
	{ 2, FIELD_REQUIRED, 0, "谈话起因" },
	{ 3, FIELD_REQUIRED, 64, "谈话人" },
	{ 4, FIELD_REQUIRED | FIELD_ID, 50, "谈话对象" },
	{ 5, FIELD_REQUIRED | FIELD_DATE, 0, "谈话日期" },
	{ 6, 0, 200, "地点" },
	{ 7, FIELD_REQUIRED, 200, "谈话主题" },
	{ 8, FIELD_MULTILINE | FIELD_SENSITIVE, RECORD_TEXT_MAX, "谈话内容" },
	{ 9, 0, 0, "需跟进" },
	{ 10, 0, 200, "跟进事项" },
};

/* Progress notes are nested messages: the generic walk gives their fields
 * the default limits (200 bytes, one line); pairing_check adds the rest. */
static const field_rule pairing_rules[] = {
	{ 1, FIELD_REQUIRED, 0, "结对方式" },
	{ 2, FIELD_REQUIRED, 64, "帮扶人" },
	{ 3, FIELD_REQUIRED | FIELD_ID, 0, "帮扶对象" },
	{ 4, 0, 64, "责任人" },
	{ 5, FIELD_MULTILINE, 2000, "帮扶目标" },
	{ 6, FIELD_MULTILINE, 2000, "帮扶措施" },
	{ 7, FIELD_REQUIRED | FIELD_DATE, 0, "开始日期" },
	{ 8, FIELD_DATE, 0, "结束日期" },
	{ 9, 0, 200, "帮扶进展" },
	{ 10, FIELD_REQUIRED, 0, "状态" },
	{ 11, 0, 0, "结对成效" },
	{ 12, FIELD_MULTILINE, 2000, "总结" },
};

static const field_rule honor_rules[] = {
	{ 1, FIELD_REQUIRED, 0, "年度" },
	{ 2, FIELD_REQUIRED, 0, "表彰名称" },
	{ 3, 0, 64, "其他称号" },
	{ 4, FIELD_ID, 0, "受表彰党员" },
	{ 5, 0, 63, "受表彰组织" },
	{ 6, FIELD_MULTILINE, 2000, "事迹" },
	{ 7, FIELD_MONEY, 0, "奖金" },
	{ 8, 0, 200, "实物奖励" },
	{ 9, 0, 64, "表彰单位" },
	{ 10, FIELD_DATE, 0, "表彰日期" },
	{ 11, FIELD_REQUIRED, 0, "状态" },
};

static const field_rule activity_rules[] = {
	{ 1, FIELD_REQUIRED, 0, "活动类型" },
	{ 2, FIELD_REQUIRED | FIELD_DATE, 0, "活动日期" },
	{ 3, FIELD_REQUIRED, 200, "活动主题" },
	{ 4, FIELD_ID, 500, "参加党员" },
	{ 5, 0, 0, "参加人数" },
	{ 6, 0, 200, "地点" },
	{ 7, FIELD_MULTILINE, RECORD_TEXT_MAX, "活动纪要" },
};

static const field_rule disclosure_rules[] = {
	{ 1, FIELD_REQUIRED, 0, "公开类别" },
	{ 2, FIELD_REQUIRED, 200, "标题" },
	{ 3, FIELD_REQUIRED | FIELD_MULTILINE, RECORD_TEXT_MAX, "公开内容" },
	{ 4, 0, 0, "公开方式" },
	{ 5, FIELD_REQUIRED | FIELD_DATE, 0, "公开日期" },
	{ 6, FIELD_DATE, 0, "截止日期" },
	{ 7, 0, 64, "审核人" },
};

static const field_rule dues_rules[] = {
	{ 1, FIELD_REQUIRED | FIELD_ID, 0, "党员" },
	{ 2, FIELD_REQUIRED | FIELD_MONTH, 0, "月份" },
	{ 3, FIELD_MONEY, 0, "计算基数" },
	{ 4, FIELD_PERCENT, 0, "缴纳比例" },
	{ 5, FIELD_MONEY, 0, "应缴" },
	{ 6, FIELD_MONEY, 0, "实缴" },
	{ 7, FIELD_DATE, 0, "缴纳日期" },
	{ 8, 0, 0, "缴纳方式" },
	{ 9, FIELD_REQUIRED, 0, "状态" },
	{ 10, 0, 200, "备注" },
	{ 11, 0, 0, "缴纳类别" },
	{ 12, 0, 200, "调整原因" },
	{ 13, 0, 200, "支部决定" },
	{ 14, 0, 200, "党委批准" },
};

static const field_rule transfer_rules[] = {
	{ 1, FIELD_REQUIRED | FIELD_ID, 0, "党员" },
	{ 2, FIELD_REQUIRED, 63, "转出支部" },
	{ 3, FIELD_REQUIRED, 63, "转入支部" },
	{ 4, 0, 64, "介绍信编号" },
	{ 5, FIELD_REQUIRED | FIELD_DATE, 0, "开具日期" },
	{ 6, FIELD_REQUIRED | FIELD_DATE, 0, "有效期至" },
	{ 7, FIELD_REQUIRED, 0, "状态" },
	{ 8, FIELD_DATE, 0, "接收日期" },
	{ 9, 0, 200, "退回原因" },
	{ 10, FIELD_MULTILINE, 2000, "备注" },
	{ 11, 0, 0, "转出摘要" },   /* TransferSummary: written by the server only */
};

static int hardship_check(const ProtobufCMessage *body, record_error *err);
static int visit_check(const ProtobufCMessage *body, record_error *err);
static int talk_check(const ProtobufCMessage *body, record_error *err);
static int pairing_check(const ProtobufCMessage *body, record_error *err);
static int honor_check(const ProtobufCMessage *body, record_error *err);
static int activity_check(const ProtobufCMessage *body, record_error *err);
static int disclosure_check(const ProtobufCMessage *body, record_error *err);
static int dues_check(const ProtobufCMessage *body, record_error *err);
static int transfer_check(const ProtobufCMessage *body, record_error *err);

/* One entry per kind.  Adding a kind is: its message in Record.body, one
 * entry here, its rules array and, when it has cross-field rules, a check
 * function.  Nothing else in hearth needs to learn about it. */
static const kind_info kinds[] = {
	{ HEARTH__KIND__KIND_MEMBER, "member", "党员", HEARTH__RECORD__BODY_MEMBER,
	  &hearth__member__descriptor, member_rules, HEARTH_ARRAY_LEN(member_rules),
	  member_check, "name,gender,category,join_date,standing,phone" },
	{ HEARTH__KIND__KIND_HARDSHIP, "hardship", "困难党员", HEARTH__RECORD__BODY_HARDSHIP,
	  &hearth__hardship__descriptor, hardship_rules, HEARTH_ARRAY_LEN(hardship_rules),
	  hardship_check, "member,types,level,certified_at,year,status" },
	{ HEARTH__KIND__KIND_VISIT, "visit", "走访慰问", HEARTH__RECORD__BODY_VISIT,
	  &hearth__visit__descriptor, visit_rules, HEARTH_ARRAY_LEN(visit_rules), visit_check,
	  "date,occasion,members,visitors,cash,goods_value,status" },
	{ HEARTH__KIND__KIND_TALK, "talk", "谈心谈话", HEARTH__RECORD__BODY_TALK,
	  &hearth__talk__descriptor, talk_rules, HEARTH_ARRAY_LEN(talk_rules), talk_check,
	  "date,form,trigger,talker,members,topic,follow_up" },
	{ HEARTH__KIND__KIND_PAIRING, "pairing", "结对帮扶", HEARTH__RECORD__BODY_PAIRING,
	  &hearth__pairing__descriptor, pairing_rules, HEARTH_ARRAY_LEN(pairing_rules),
	  pairing_check, "start_date,mode,helper,member,status,end_date,outcome" },
	{ HEARTH__KIND__KIND_HONOR, "honor", "表彰激励", HEARTH__RECORD__BODY_HONOR,
	  &hearth__honor__descriptor, honor_rules, HEARTH_ARRAY_LEN(honor_rules), honor_check,
	  "year,title,member,recipient_branch,award,status" },
	{ HEARTH__KIND__KIND_ACTIVITY, "activity", "主题活动", HEARTH__RECORD__BODY_ACTIVITY,
	  &hearth__activity__descriptor, activity_rules, HEARTH_ARRAY_LEN(activity_rules),
	  activity_check, "date,type,title,participant_count,place" },
	{ HEARTH__KIND__KIND_DISCLOSURE, "disclosure", "党务公开", HEARTH__RECORD__BODY_DISCLOSURE,
	  &hearth__disclosure__descriptor, disclosure_rules, HEARTH_ARRAY_LEN(disclosure_rules),
	  disclosure_check, "from_date,to_date,category,title,channel" },
	{ HEARTH__KIND__KIND_DUES, "dues", "党费", HEARTH__RECORD__BODY_DUES,
	  &hearth__dues__descriptor, dues_rules, HEARTH_ARRAY_LEN(dues_rules), dues_check,
	  "month,member,due,paid,paid_date,status" },
	{ HEARTH__KIND__KIND_TRANSFER, "transfer", "组织关系转接", HEARTH__RECORD__BODY_TRANSFER,
	  &hearth__transfer__descriptor, transfer_rules, HEARTH_ARRAY_LEN(transfer_rules),
	  transfer_check, "member,from_branch,to_branch,letter_no,issued_date,accepted_date,status" },
};

const kind_info *kind_find(Hearth__Kind kind)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kinds); i++) {
		if (kinds[i].kind == kind)
			return &kinds[i];
	}
	return NULL;
}

/* The CLI word in any case, or the Chinese label. */
const kind_info *kind_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kinds); i++) {
		if (strcasecmp(kinds[i].name, name) == 0 || strcmp(kinds[i].label, name) == 0)
			return &kinds[i];
	}
	return NULL;
}

const kind_info *kind_by_record_field(uint32_t record_field)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kinds); i++) {
		if (kinds[i].record_field == record_field)
			return &kinds[i];
	}
	return NULL;
}

ProtobufCMessage *kind_new_body(const kind_info *k)
{
	ProtobufCMessage *body = malloc(k->desc->sizeof_message);
	if (body)
		k->desc->message_init(body);
	return body;
}

int kind_set_body(Hearth__Record *rec, const kind_info *k, ProtobufCMessage *body)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(&hearth__record__descriptor, k->record_field);

	if (!fd || !(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || fd->type != PROTOBUF_C_TYPE_MESSAGE)
		return HEARTH_EINVAL;
	*(ProtobufCMessage **)((char *)rec + fd->offset) = body;
	*(uint32_t *)((char *)rec + fd->quantifier_offset) = k->record_field;
	rec->kind = k->kind;
	return 0;
}

size_t kind_count(void)
{
	return HEARTH_ARRAY_LEN(kinds);
}

const kind_info *kind_at(size_t i)
{
	return i < HEARTH_ARRAY_LEN(kinds) ? &kinds[i] : NULL;
}

/* Every kind's body holds its attachments in the same field (issue 18),
 * so their rule is one entry shared by all; common/attachment.c checks the
 * entries themselves. */
static const field_rule attachments_rule = { ATTACHMENT_FIELD, 0, ATTACHMENTS_MAX, "附件" };

const field_rule *kind_rule(const kind_info *k, uint32_t number)
{
	if (k == NULL)
		return NULL;
	for (size_t i = 0; i < k->n_rules; i++) {
		if (k->rules[i].number == number)
			return &k->rules[i];
	}
	return number == ATTACHMENT_FIELD ? &attachments_rule : NULL;
}

/* ------------------------------------------------------- member rules */

/* GB 11643-1999: 17 digits weighted by 2^(17-i) mod 11, and a check
 * character from "10X98765432" indexed by the sum mod 11.  Returns the
 * expected check character. */
static char id_card_check_char(const char *s)
{
	static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * weight[i];
	return check[sum % 11];
}

/* Never echoes the value: the id card and phone are sensitive, and error
 * messages end up in logs and on other people's screens. */
static int check_id_card(const char *s, record_error *err)
{
	size_t len = strlen(s);

	if (len == 0)
		return 0;
	if (len != 18)
		return record_refuse(err, "id_card",
		                     "id_card must be 18 characters: 17 digits and a check digit or X (got %zu)",
		                     len);
	for (int i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return record_refuse(err, "id_card",
			                     "id_card must be 17 digits followed by a digit or X (GB 11643)");
	}
	if (!((s[17] >= '0' && s[17] <= '9') || s[17] == 'X'))
		return record_refuse(err, "id_card",
		                     "id_card must be 17 digits followed by a digit or X (GB 11643)");
	if (s[17] != id_card_check_char(s))
		return record_refuse(err, "id_card",
		                     "id_card check digit is wrong (GB 11643); check the number for a typo");
	return 0;
}

static int check_phone(const char *s, record_error *err)
{
	for (; *s != '\0'; s++) {
		if (!((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == ' '))
			return record_refuse(err, "phone", "phone may contain only digits, '+', '-' and spaces");
	}
	return 0;
}

static int is_empty(const char *s);

/* The contact log (联系记录) and the talks owed (需谈话事项): nested messages,
 * so checked here: each has a date that exists, a contact its channel and
 * note, a talk owed its reason (a known trigger). */
static int member_logs_check(const Hearth__Member *m, record_error *err)
{
	int32_t d;

	for (size_t i = 0; i < m->n_contacts; i++) {
		const Hearth__ProgressNote *c = m->contacts[i];

		if (is_empty(c->date))
			return record_refuse(err, "contacts", _("contacts[%zu]: the date (日期) is required"), i + 1);
		if (date_parse(c->date, &d) != 0)
			return record_refuse(err, "contacts",
			                     _("contacts[%zu]: date %s is not a date that exists (YYYY-MM-DD)"), i + 1,
			                     record_echo(c->date, 0));
		if (is_empty(c->channel))
			return record_refuse(err, "contacts",
			                     _("contacts[%zu]: the channel (联系方式: 电话, 微信, 上门...) is required"),
			                     i + 1);
		if (is_empty(c->note))
			return record_refuse(err, "contacts", _("contacts[%zu]: the note (内容) is required"), i + 1);
	}
	for (size_t i = 0; i < m->n_talk_needs; i++) {
		const Hearth__TalkNeed *t = m->talk_needs[i];

		if (t->reason == HEARTH__TALK_TRIGGER__TALK_TRIGGER_UNSPECIFIED ||
		    !protobuf_c_enum_descriptor_get_value(&hearth__talk_trigger__descriptor, t->reason))
			return record_refuse(err, "talk_needs",
			                     _("talk_needs[%zu]: the reason (谈话事由: 困难, 矛盾, 失误, 问题, 提拔...) "
			                       "is required"),
			                     i + 1);
		if (is_empty(t->date))
			return record_refuse(err, "talk_needs", _("talk_needs[%zu]: the date (起算日期) is required"),
			                     i + 1);
		if (date_parse(t->date, &d) != 0)
			return record_refuse(err, "talk_needs",
			                     _("talk_needs[%zu]: date %s is not a date that exists (YYYY-MM-DD)"), i + 1,
			                     record_echo(t->date, 0));
	}
	return 0;
}

/* Dates in a member's life must come in order.  Dates that do not parse
 * were refused by the field rules before this runs; if check is called on
 * its own they are simply not compared.  A destination without the mobile
 * flag is allowed (it may be kept from an earlier spell away). */
static int member_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Member *m = (const Hearth__Member *)body;
	int32_t birth, join, full;
	int has_birth, has_join, has_full, rc;

	if ((rc = check_id_card(m->id_card ? m->id_card : "", err)) != 0)
		return rc;
	if ((rc = check_phone(m->phone ? m->phone : "", err)) != 0)
		return rc;
	has_birth = m->birth_date && m->birth_date[0] && date_parse(m->birth_date, &birth) == 0;
	has_join = m->join_date && m->join_date[0] && date_parse(m->join_date, &join) == 0;
	has_full = m->full_member_date && m->full_member_date[0] &&
	           date_parse(m->full_member_date, &full) == 0;
	if (has_join && has_full && full < join)
		return record_refuse(err, "full_member_date", "full_member_date %s is before join_date %s",
		                     m->full_member_date, m->join_date);
	if (has_birth && has_join && join <= birth)
		return record_refuse(err, "join_date", "join_date %s is not after birth_date %s",
		                     m->join_date, m->birth_date);
	return member_logs_check(m, err);
}

/* --------------------------------------- care and assistance rules
 *
 * Cross-field rules a branch secretary would state aloud: dates in order,
 * a closed entry says when and how it closed, money adds up.  Fields that
 * failed their own rules were refused before these run; a date that does
 * not parse is simply not compared. */

/* A set, parseable date into *days; 0 when absent or unparseable. */
static int has_date(const char *s, int32_t *days)
{
	return s != NULL && s[0] != '\0' && date_parse(s, days) == 0;
}

static int is_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* later must not be before earlier, when both are given. */
static int dates_in_order(const char *earlier_name, const char *earlier, const char *later_name,
                          const char *later, record_error *err)
{
	int32_t a, b;

	if (has_date(earlier, &a) && has_date(later, &b) && b < a)
		return record_refuse(err, later_name, "%s %s is before %s %s", later_name, later, earlier_name,
		                     earlier);
	return 0;
}

/* Years of the Party's records: from its founding to the calendar's end. */
static int check_year(const char *field, int32_t year, record_error *err)
{
	if (year != 0 && (year < 1921 || year > 2199))
		return record_refuse(err, field, "%s %d is not a year from 1921 to 2199", field, (int)year);
	return 0;
}

/* The same member twice in one list is a typing slip, never intended. */
static int ids_distinct(const char *field, const ProtobufCBinaryData *ids, size_t n,
                        record_error *err)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (ids[i].len == ids[j].len && ids[i].len == 16 &&
			    memcmp(ids[i].data, ids[j].data, 16) == 0) {
				char t[UUID_TEXT_LEN + 1];

				uuid_format(ids[i].data, t);
				return record_refuse(err, field, "%s lists %s twice", field, t);
			}
		}
	}
	return 0;
}

/* Branch ids travel in certificates' SAN URIs, so the same alphabet. */
static int check_branch_id(const char *field, const char *s, record_error *err)
{
	if (is_empty(s))
		return 0;
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
	    strlen(s))
		return record_refuse(err, field, "%s \"%s\" is not a branch id (letters, digits, '-', '_', '.')",
		                     field, record_echo(s, 0));
	return 0;
}

static int hardship_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Hardship *h = (const Hearth__Hardship *)body;
	int closed = h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED ||
	             h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED;
	int rc;

	for (size_t i = 0; i < h->n_types; i++) {
		for (size_t j = i + 1; j < h->n_types; j++) {
			if (h->types[i] == h->types[j])
				return record_refuse(err, "types", "types lists %s twice",
				                     enum_label(&hearth__hardship_type__descriptor, h->types[i]));
		}
	}
	if ((rc = check_year("year", h->year, err)) != 0)
		return rc;
	if (closed && is_empty(h->closed_date))
		return record_refuse(err, "closed_date", "closed_date is required when status is %s",
		                     enum_label(&hearth__hardship_status__descriptor, h->status));
	if (!closed && !is_empty(h->closed_date))
		return record_refuse(err, "closed_date", "closed_date is only for status 脱困 or 移出");
	return dates_in_order("certified_at", h->certified_at, "closed_date", h->closed_date, err);
}

static int visit_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Visit *v = (const Hearth__Visit *)body;
	int rc;

	if ((rc = ids_distinct("members", v->members, v->n_members, err)) != 0)
		return rc;
	if ((v->cash > 0 || v->goods_value > 0) &&
	    v->fund_source == HEARTH__FUND_SOURCE__FUND_SOURCE_UNSPECIFIED)
		return record_refuse(err, "fund_source",
		                     "fund_source is required when cash or goods_value is given");
	if (v->goods_value > 0 && is_empty(v->goods))
		return record_refuse(err, "goods", "goods is required when goods_value is given");
	return 0;
}

static int talk_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Talk *t = (const Hearth__Talk *)body;
	int rc;

	if ((rc = ids_distinct("members", t->members, t->n_members, err)) != 0)
		return rc;
	if (t->form == HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL && t->n_members > 1)
		return record_refuse(err, "members",
		                     "members: an individual talk (个别谈话) is with one member (got %zu)",
		                     t->n_members);
	return 0;
}

/* The pairing's notes are checked here because the generic walk knows no
 * rules for nested fields: each note has a date that exists, not before the
 * pairing started, and a text. */
static int pairing_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Pairing *p = (const Hearth__Pairing *)body;
	int closed = p->status == HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED;
	int rc;

	if ((rc = dates_in_order("start_date", p->start_date, "end_date", p->end_date, err)) != 0)
		return rc;
	for (size_t i = 0; i < p->n_notes; i++) {
		const Hearth__ProgressNote *n = p->notes[i];
		int32_t d, start;

		if (is_empty(n->date))
			return record_refuse(err, "notes", "notes[%zu].date is required", i + 1);
		if (date_parse(n->date, &d) != 0)
			return record_refuse(err, "notes", "notes[%zu].date %s is not a date that exists (YYYY-MM-DD)",
			                     i + 1, record_echo(n->date, 0));
		if (is_empty(n->note))
			return record_refuse(err, "notes", "notes[%zu].note is required", i + 1);
		if (has_date(p->start_date, &start) && d < start)
			return record_refuse(err, "notes", "notes[%zu].date %s is before start_date %s", i + 1,
			                     n->date, p->start_date);
	}
	if (closed && is_empty(p->end_date))
		return record_refuse(err, "end_date", "end_date is required when status is 已结束");
	if (closed && p->outcome == HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_UNSPECIFIED)
		return record_refuse(err, "outcome", "outcome is required when status is 已结束");
	if (!closed && p->outcome != HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_UNSPECIFIED)
		return record_refuse(err, "outcome", "outcome is only for a closed pairing (status 已结束)");
	return 0;
}

/* An honor goes to one member or to one branch: organisation titles to a
 * branch, member titles to a member. */
static int honor_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Honor *h = (const Hearth__Honor *)body;
	int to_member = h->member.len != 0, to_branch = !is_empty(h->recipient_branch);
	const char *title = enum_label(&hearth__honor_title__descriptor, h->title);
	int rc;

	if ((rc = check_year("year", h->year, err)) != 0)
		return rc;
	if ((rc = check_branch_id("recipient_branch", h->recipient_branch, err)) != 0)
		return rc;
	if (h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_OTHER && is_empty(h->title_other))
		return record_refuse(err, "title_other", "title_other is required when title is 其他");
	if (to_member && to_branch)
		return record_refuse(err, "recipient_branch",
		                     "an honor goes to a member or to a branch, not both (member and "
		                     "recipient_branch are both set)");
	if (h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG && !to_branch)
		return record_refuse(err, "recipient_branch", "recipient_branch is required for %s", title);
	if ((h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_MEMBER ||
	     h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_WORKER) && !to_member)
		return record_refuse(err, "member", "member is required for %s", title);
	if (!to_member && !to_branch)
		return record_refuse(err, "member", "member or recipient_branch is required");
	return 0;
}

static int activity_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Activity *a = (const Hearth__Activity *)body;
	int rc;

	if ((rc = ids_distinct("members", a->members, a->n_members, err)) != 0)
		return rc;
	if (a->participant_count < 0)
		return record_refuse(err, "participant_count", "participant_count is negative (%d)",
		                     (int)a->participant_count);
	if (a->participant_count > 0 && (size_t)a->participant_count < a->n_members)
		return record_refuse(err, "participant_count",
		                     "participant_count %d is less than the %zu members listed",
		                     (int)a->participant_count, a->n_members);
	return 0;
}

static int disclosure_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Disclosure *d = (const Hearth__Disclosure *)body;

	return dates_in_order("from_date", d->from_date, "to_date", d->to_date, err);
}

/* Money and rates in a refusal as people read them: "90.00 yuan", "1.5%". */
static const char *yuan_text(int64_t fen, char buf[40])
{
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;

	snprintf(buf, 40, _("%s%llu.%02llu yuan"), fen < 0 ? "-" : "", (unsigned long long)(a / 100),
	         (unsigned long long)(a % 100));
	return buf;
}

static const char *rate_text(int32_t bp, char buf[DUES_RATE_TEXT_MAX])
{
	dues_rate_format(bp, buf);
	return buf;
}

/* The amount the rules expect of a dues record, and how they got it (for
 * the refusal).  With a dues group the official table decides
 * (common/dues_rate.h); without one (records of older clients) due is
 * base_income x rate when both are given.  Returns 0 with *has_expect
 * set when there is one amount to compare, or HEARTH_EINVAL. */
static int dues_expected(const Hearth__Dues *d, int64_t *expect, int *has_expect, char *how,
                         size_t how_cap, record_error *err)
{
	const char *group = enum_label(&hearth__dues_group__descriptor, d->dues_group);
	int has_reason = !is_empty(d->due_reason);
	char y1[40], y2[40], y3[40], r1[DUES_RATE_TEXT_MAX], r2[DUES_RATE_TEXT_MAX];
	dues_rate_result r;

	*has_expect = 0;
	if (d->dues_group == HEARTH__DUES_GROUP__DUES_GROUP_UNSPECIFIED) {
		if (d->base_income > 0 && d->rate == 0)
			return record_refuse(err, "rate", "rate is required when base_income is given");
		if (d->rate > 0 && d->base_income == 0)
			return record_refuse(err, "base_income", "base_income is required when rate is given");
		if (d->base_income == 0)
			return 0;
		*expect = dues_rate_apply(d->base_income, d->rate);
		*has_expect = 1;
		snprintf(how, how_cap, _("base_income x rate: %s x %s"), yuan_text(d->base_income, y1),
		         rate_text(d->rate, r1));
		return 0;
	}
	switch (dues_rate_compute(&(dues_rate_args){ .group = d->dues_group, .income_fen = d->base_income },
	                          &r)) {
	case DUES_RATE_OK: break;
	case DUES_RATE_NO_INCOME:
		return record_refuse(err, "base_income",
		                     _("base_income (计算基数) is required for dues group %s: its rate "
		                       "depends on the monthly income"),
		                     group);
	case DUES_RATE_BAD_INCOME:
		return record_refuse(err, "base_income", _("base_income %s is out of range"),
		                     yuan_text(d->base_income, y1));
	default:
		return record_refuse(err, "dues_group", _("dues_group %d is not a known dues group"),
		                     (int)d->dues_group);
	}
	switch (r.basis) {
	case DUES_BASIS_INCOME:
		if (d->rate != 0 && d->rate != r.rate_bp && !has_reason)
			return record_refuse(err, "rate",
			                     _("rate %s is not the %s the table gives for %s on %s; give "
			                       "the reason in due_reason (调整原因) to depart from it"),
			                     rate_text(d->rate, r1), rate_text(r.rate_bp, r2), group,
			                     yuan_text(d->base_income, y1));
		snprintf(how, how_cap, _("%s, %s x %s"), group, yuan_text(d->base_income, y1),
		         rate_text(r.rate_bp, r2));
		break;
	case DUES_BASIS_FARMER:
		/* The amount within the range is the branch's setting, which only
		 * the store knows; the record itself must stay in the range. */
		if ((d->due < DUES_FARMER_MIN_FEN || d->due > DUES_FARMER_MAX_FEN) && !has_reason &&
		    is_empty(d->relief_decision))
			return record_refuse(err, "due",
			                     _("due %s is outside the %s to %s a farmer (农民) pays a month; "
			                       "give the reason in due_reason (调整原因) to override"),
			                     yuan_text(d->due, y1), yuan_text(DUES_FARMER_MIN_FEN, y2),
			                     yuan_text(DUES_FARMER_MAX_FEN, y3));
		return 0;
	default:
		snprintf(how, how_cap, _("%s, a fixed amount"), group);
		break;
	}
	*expect = r.due_fen;
	*has_expect = 1;
	return 0;
}

/* Paying more than due is allowed: members may voluntarily pay more
 * (自愿多交).  A due that differs from what the rules expect is accepted
 * with a reason (due_reason), or, when lower, with the branch's decision
 * and the committee's approval (relief for a member in hardship). */
static int dues_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Dues *d = (const Hearth__Dues *)body;
	const char *status = enum_label(&hearth__dues_status__descriptor, d->status);
	int has_paid_date = !is_empty(d->paid_date);
	int has_decision = !is_empty(d->relief_decision), has_approval = !is_empty(d->relief_approval);
	char how[200], y1[40], y2[40];
	int64_t expect = 0;
	int has_expect, rc;

	if (d->rate < 0 || d->rate > 10000)
		return record_refuse(err, "rate", "rate %d is not between 0 and 10000 basis points (0%% to 100%%)",
		                     (int)d->rate);
	if (d->base_income > INT64_MAX / 10001)
		return record_refuse(err, "base_income", "base_income %lld fen is too large", (long long)d->base_income);
	if (has_decision && !has_approval)
		return record_refuse(err, "relief_approval",
		                     _("relief_approval (党委批准) is required with relief_decision (支部决定): "
		                       "lower dues need the committee's approval"));
	if (has_approval && !has_decision)
		return record_refuse(err, "relief_decision",
		                     _("relief_decision (支部决定) is required with relief_approval (党委批准)"));
	if ((rc = dues_expected(d, &expect, &has_expect, how, sizeof(how), err)) != 0)
		return rc;
	if (has_expect && d->due != expect && is_empty(d->due_reason) &&
	    !(d->due < expect && has_decision)) {
		return record_refuse(err, "due",
		                     _("due %s differs from the %s the rules give (%s); give the reason "
		                       "in due_reason (调整原因) to override"),
		                     yuan_text(d->due, y1), yuan_text(expect, y2), how);
	}
	if (d->paid > 0 && !has_paid_date)
		return record_refuse(err, "paid_date", "paid_date is required when paid is given");
	if (d->paid == 0 && has_paid_date)
		return record_refuse(err, "paid", "paid is required when paid_date is given");
	switch (d->status) {
	case HEARTH__DUES_STATUS__DUES_STATUS_UNPAID:
	case HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT:
		if (d->paid != 0)
			return record_refuse(err, "paid", "paid must be 0 when status is %s (got %lld fen)", status,
			                     (long long)d->paid);
		break;
	case HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL:
		if (d->paid == 0)
			return record_refuse(err, "paid", "paid is required when status is %s", status);
		if (d->paid >= d->due)
			return record_refuse(err, "paid",
			                     "paid %lld fen is not less than due %lld fen; status %s means part of it",
			                     (long long)d->paid, (long long)d->due, status);
		break;
	case HEARTH__DUES_STATUS__DUES_STATUS_PAID:
		if (d->paid < d->due)
			return record_refuse(err, "paid", "paid %lld fen is less than due %lld fen; use status 部分缴纳",
			                     (long long)d->paid, (long long)d->due);
		if (!has_paid_date)
			return record_refuse(err, "paid_date", "paid_date is required when status is %s", status);
		break;
	default:
		break;
	}
	return 0;
}

/* A transfer letter (介绍信) is good from its issue date until valid_until;
 * it is accepted within that window or not at all. */
static int transfer_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Transfer *t = (const Hearth__Transfer *)body;
	int accepted = t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
	int32_t acc, until;
	int rc;

	if ((rc = check_branch_id("from_branch", t->from_branch, err)) != 0 ||
	    (rc = check_branch_id("to_branch", t->to_branch, err)) != 0)
		return rc;
	if (!is_empty(t->from_branch) && !is_empty(t->to_branch) &&
	    strcmp(t->from_branch, t->to_branch) == 0)
		return record_refuse(err, "to_branch", "to_branch %s is the same as from_branch",
		                     record_echo(t->to_branch, 0));
	if ((rc = dates_in_order("issued_date", t->issued_date, "valid_until", t->valid_until, err)))
		return rc;
	if (accepted && is_empty(t->accepted_date))
		return record_refuse(err, "accepted_date", "accepted_date is required when status is 已接收");
	if (!accepted && !is_empty(t->accepted_date))
		return record_refuse(err, "accepted_date", "accepted_date is only for status 已接收");
	if ((rc = dates_in_order("issued_date", t->issued_date, "accepted_date", t->accepted_date,
	                         err)) != 0)
		return rc;
	if (has_date(t->accepted_date, &acc) && has_date(t->valid_until, &until) && acc > until)
		return record_refuse(err, "accepted_date",
		                     "accepted_date %s is after valid_until %s: the letter had expired; issue a "
		                     "new one",
		                     t->accepted_date, t->valid_until);
	if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED && is_empty(t->return_reason))
		return record_refuse(err, "return_reason", "return_reason is required when status is 已退回");
	return 0;
}
