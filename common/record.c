/* record.c: the kind table (body message, field rules, labels, cross-field checks) and the generic validation, masking and enum naming built on it. */
#include "common/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/date.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/pbfield.h"
#include "common/record_limits.h"
#include "common/utf8.h"
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
	{ 4, 0, 0, "比例(万分之)" },
	{ 5, FIELD_MONEY, 0, "应缴" },
	{ 6, FIELD_MONEY, 0, "实缴" },
	{ 7, FIELD_DATE, 0, "缴纳日期" },
	{ 8, 0, 0, "缴纳方式" },
	{ 9, FIELD_REQUIRED, 0, "状态" },
	{ 10, 0, 200, "备注" },
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
	  transfer_check, "member,from_branch,to_branch,issued_date,valid_until,status" },
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

size_t kind_count(void)
{
	return HEARTH_ARRAY_LEN(kinds);
}

const kind_info *kind_at(size_t i)
{
	return i < HEARTH_ARRAY_LEN(kinds) ? &kinds[i] : NULL;
}

const field_rule *kind_rule(const kind_info *k, uint32_t number)
{
	if (k == NULL)
		return NULL;
	for (size_t i = 0; i < k->n_rules; i++) {
		if (k->rules[i].number == number)
			return &k->rules[i];
	}
	return NULL;
}

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

/* ------------------------------------------------------------- bodies */

/* The Record field that carries kind k's body, checked to be a message in
 * the body oneof so the pointer arithmetic below is sound. */
static const ProtobufCFieldDescriptor *body_field(uint32_t number)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(&hearth__record__descriptor, number);

	if (fd == NULL || fd->type != PROTOBUF_C_TYPE_MESSAGE ||
	    (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0)
		return NULL;
	return fd;
}

const ProtobufCMessage *record_body(const Hearth__Record *r)
{
	const ProtobufCFieldDescriptor *fd;

	if (r == NULL || r->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return NULL;
	fd = body_field((uint32_t)r->body_case);
	if (fd == NULL)
		return NULL;
	return *(ProtobufCMessage *const *)((const char *)r + fd->offset);
}

/* Refuses a body whose oneof case names a different kind than r->kind:
 * the kind decides which rules ran, so the two must agree. */
int record_pack_body(const Hearth__Record *r, uint8_t **out, size_t *len)
{
	const ProtobufCMessage *body = record_body(r);
	const kind_info *k;
	size_t size;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (body == NULL)
		return HEARTH_EINVAL;
	k = kind_by_record_field((uint32_t)r->body_case);
	if (k == NULL || k->kind != r->kind || body->descriptor != k->desc)
		return HEARTH_EINVAL;
	size = protobuf_c_message_get_packed_size(body);
	if (size == 0)
		return 0;
	buf = malloc(size);
	if (buf == NULL)
		return HEARTH_ENOMEM;
	if (protobuf_c_message_pack(body, buf) != size) {
		free(buf);
		return HEARTH_EINVAL;
	}
	*out = buf;
	*len = size;
	return 0;
}

/* protobuf-c reports every unpack failure as NULL; this allocator, which
 * forwards to malloc/free (protobuf-c's default, so the message may later
 * be freed with a NULL allocator), remembers whether memory ran out, so
 * "out of memory" is not reported as "bad bytes".  The same idea as in
 * envelope.c. */
struct alloc_probe {
	int failed;
};

static void *probe_alloc(void *data, size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		((struct alloc_probe *)data)->failed = 1;
	return p;
}

static void probe_free(void *data, void *ptr)
{
	(void)data;
	free(ptr);
}

/* Frees a body unpacked by unpack_body (or by protobuf-c with its default
 * allocator: both end in free()).  Going through probe_free keeps every
 * allocation and release of a body in this file on the same pair. */
static void free_body(ProtobufCMessage *m)
{
	struct alloc_probe probe = { 0 };
	ProtobufCAllocator a = { probe_alloc, probe_free, &probe };

	if (m != NULL)
		protobuf_c_message_free_unpacked(m, &a);
}

/* An unknown field numbered 0 (a padded tag protobuf-c lets through) could
 * never be packed again; see envelope.c. */
static int has_unknown_zero(const ProtobufCMessage *m)
{
	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		if (m->unknown_fields[i].tag == 0)
			return 1;
	}
	return 0;
}

static int unpack_body(const kind_info *k, const uint8_t *buf, size_t len, ProtobufCMessage **out)
{
	struct alloc_probe probe = { 0 };
	ProtobufCAllocator a = { probe_alloc, probe_free, &probe };
	ProtobufCMessage *m;

	*out = NULL;
	m = protobuf_c_message_unpack(k->desc, &a, len, len ? buf : (const uint8_t *)"");
	if (m == NULL)
		return probe.failed ? HEARTH_ENOMEM : HEARTH_EINVAL;
	if (has_unknown_zero(m)) {
		free_body(m);
		return HEARTH_EINVAL;
	}
	*out = m;
	return 0;
}

/* The new body is unpacked before the old one is released, so on any error
 * r is left exactly as it was. */
int record_set_body(Hearth__Record *r, const kind_info *k, const uint8_t *buf, size_t len)
{
	const ProtobufCFieldDescriptor *fd;
	ProtobufCMessage *m;
	int rc;

	if (r == NULL || k == NULL || (buf == NULL && len != 0))
		return HEARTH_EINVAL;
	fd = body_field(k->record_field);
	if (fd == NULL || fd->descriptor != k->desc)
		return HEARTH_EINVAL;
	if ((rc = unpack_body(k, buf, len, &m)) != 0)
		return rc;
	record_clear_body(r);
	*(ProtobufCMessage **)((char *)r + fd->offset) = m;
	*(uint32_t *)((char *)r + fd->quantifier_offset) = k->record_field;
	r->kind = k->kind;
	return 0;
}

void record_clear_body(Hearth__Record *r)
{
	const ProtobufCFieldDescriptor *fd;

	if (r == NULL || r->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return;
	fd = body_field((uint32_t)r->body_case);
	if (fd != NULL) {
		ProtobufCMessage **slot = (ProtobufCMessage **)((char *)r + fd->offset);

		free_body(*slot);
		*slot = NULL;
	}
	r->body_case = HEARTH__RECORD__BODY__NOT_SET;
}

/* ---------------------------------------------------------- validation */

/* Fills err (when given) and returns HEARTH_EINVAL, so every refusal is
 * one line at its call site. */
static int refuse(record_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(record_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return HEARTH_EINVAL;
}

/* Values are echoed in messages only when short and already known to be
 * printable text, so a message never carries a cut character or a long
 * blob; sensitive fields are never echoed by any rule. */
static const char *echo(const char *s, uint32_t flags)
{
	if (flags & FIELD_SENSITIVE)
		return "(hidden)";
	return strlen(s) <= 32 ? s : "(value)";
}

#define MAX_DEPTH 8

static int check_fields(const ProtobufCMessageDescriptor *desc, const ProtobufCMessage *m,
                        const kind_info *k, int depth, record_error *err);

/* C1 controls (U+009B starts an escape sequence on many terminals) and bidi
 * controls (they make text read in another order than it is stored) are
 * refused in every field, and so are U+200B, U+2060 and U+FEFF, which only
 * make two different names look the same.  ZWNJ and ZWJ (UTF8_JOINER) are
 * allowed: emoji sequences and some scripts need them; the display
 * sanitiser (utf8_sanitize) shows them as escapes.  The message names the
 * field by its label and the character by its code point, never by itself. */
static int check_invisible(const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                           const char *s, size_t len, record_error *err)
{
	const char *name = rule && rule->label ? rule->label : fd->name;
	uint32_t cp;

	if (utf8_find(s, len, UTF8_CLASS_BIT(UTF8_C1), &cp))
		return refuse(err, fd->name, "%s contains a control character U+%04X", name,
		              (unsigned)cp);
	if (utf8_find(s, len, UTF8_CLASS_BIT(UTF8_BIDI), &cp))
		return refuse(err, fd->name, "%s contains a bidirectional control character U+%04X",
		              name, (unsigned)cp);
	if (utf8_find(s, len, UTF8_CLASS_BIT(UTF8_ZERO_WIDTH), &cp))
		return refuse(err, fd->name, "%s contains an invisible character U+%04X", name,
		              (unsigned)cp);
	return 0;
}

/* A string: well-formed UTF-8, no control characters outside multi-line
 * text, within its byte limit, then the date and month formats. */
static int check_string(const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                        const char *s, record_error *err)
{
	uint32_t flags = rule ? rule->flags : 0;
	size_t len = strlen(s), max;
	int rc;

	if (utf8_chars(s, len) < 0)
		return refuse(err, fd->name, "%s is not valid UTF-8", fd->name);
	if (!utf8_valid(s, len))
		return refuse(err, fd->name, "%s contains a control character", fd->name);
	if ((rc = check_invisible(fd, rule, s, len, err)) != 0)
		return rc;
	if ((flags & FIELD_MULTILINE) == 0 && strpbrk(s, "\t\r\n") != NULL)
		return refuse(err, fd->name,
		              "%s contains a line break or tab (only multi-line text may)", fd->name);
	max = record_string_max(rule, 0);
	if (len > max)
		return refuse(err, fd->name, "%s is longer than %zu bytes (%zu)", fd->name, max, len);
	if (len > 0 && (flags & FIELD_DATE)) {
		int32_t days;

		if (date_parse(s, &days) != 0)
			return refuse(err, fd->name, "%s %s is not a date that exists (YYYY-MM-DD)",
			              fd->name, echo(s, flags));
	}
	if (len > 0 && (flags & FIELD_MONTH)) {
		int32_t month;

		if (date_parse_month(s, &month) != 0)
			return refuse(err, fd->name, "%s %s is not a month (YYYY-MM)", fd->name,
			              echo(s, flags));
	}
	return 0;
}

/* One value of a field (an element, for repeated fields) at p. */
static int check_value(const ProtobufCFieldDescriptor *fd, const field_rule *rule, const void *p,
                       int depth, record_error *err)
{
	uint32_t flags = rule ? rule->flags : 0;
	int64_t money = 0;

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return check_string(fd, rule, s ? s : "", err);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		size_t max = record_string_max(rule, 1);

		if ((flags & FIELD_ID) && b->len != 0 && b->len != 16)
			return refuse(err, fd->name, "%s must be a 16-byte record id (got %zu bytes)",
			              fd->name, b->len);
		if (b->len > max)
			return refuse(err, fd->name, "%s is longer than %zu bytes (%zu)", fd->name, max,
			              b->len);
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;

		if (protobuf_c_enum_descriptor_get_value(fd->descriptor, v) == NULL)
			return refuse(err, fd->name, "%s: %d is not a known value", fd->name, v);
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;

		if (sub == NULL)
			return 0;
		if (depth >= MAX_DEPTH)
			return refuse(err, fd->name, "%s is nested too deeply", fd->name);
		return check_fields(fd->descriptor, sub, NULL, depth + 1, err);
	}
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		money = *(const int32_t *)p;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		money = *(const int64_t *)p;
		break;
	default:
		return 0;
	}
	if ((flags & FIELD_MONEY) && money < 0)
		return refuse(err, fd->name, "%s is negative (%lld fen); money must be 0 or more",
		              fd->name, (long long)money);
	return 0;
}

/* Walks the message by its descriptor, so every kind gets the same checks
 * from its rules alone.  Nested messages get the defaults (rules name only
 * the body's own fields). */
static int check_fields(const ProtobufCMessageDescriptor *desc, const ProtobufCMessage *m,
                        const kind_info *k, int depth, record_error *err)
{
	const char *base = (const char *)m;
	int rc;

	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &desc->fields[i];
		const field_rule *rule = kind_rule(k, fd->id);
		const void *p = base + fd->offset;

		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = *(const size_t *)(base + fd->quantifier_offset);
			size_t max = rule && rule->max ? rule->max : RECORD_REPEATED_MAX_DEFAULT;
			const char *elems = *(const char *const *)p;
			size_t sz = pbfield_elem_size(fd);

			if (rule && (rule->flags & FIELD_REQUIRED) && count == 0)
				return refuse(err, fd->name, "%s is required", fd->name);
			if (count > max)
				return refuse(err, fd->name, "%s has more than %zu values (%zu)", fd->name,
				              max, count);
			for (size_t j = 0; j < count; j++) {
				if ((rc = check_value(fd, rule, elems + j * sz, depth, err)) != 0)
					return rc;
			}
			continue;
		}
		/* An unset field holds its default, which passes every check.  An
		 * unknown non-zero enum value is "set" and is refused below. */
		if (!pbfield_is_set(m, fd)) {
			if (rule && (rule->flags & FIELD_REQUIRED))
				return refuse(err, fd->name, "%s is required", fd->name);
			continue;
		}
		if ((rc = check_value(fd, rule, p, depth, err)) != 0)
			return rc;
	}
	return 0;
}

int record_validate_message(const kind_info *k, const ProtobufCMessage *body, record_error *err)
{
	int rc;

	if (k == NULL || body == NULL || body->descriptor != k->desc)
		return refuse(err, "", "the body is not a %s (%s)", k ? k->label : "?",
		              k ? k->name : "unknown kind");
	if ((rc = check_fields(k->desc, body, k, 0, err)) != 0)
		return rc;
	if (k->check != NULL)
		return k->check(body, err);
	return 0;
}

/* Reads a varint from a body fieldmap_parse has already accepted. */
static uint64_t wire_varint(const uint8_t *b, size_t *pos)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		uint8_t c = b[(*pos)++];

		v |= (uint64_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0)
			break;
	}
	return v;
}

/* protobuf-c copies a string's bytes and stops reading it at the first NUL,
 * so "ab\0cd" would validate as "ab" while the raw body, which merge and
 * the store keep, still holds the NUL.  The raw occurrences of every string
 * field are therefore checked here.  Only called after the body unpacked,
 * which proves each string field used the length-delimited wire type. */
static int raw_strings_clean(const kind_info *k, const fieldmap *fm, record_error *err)
{
	for (size_t i = 0; i < fm->n; i++) {
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field(k->desc, fm->f[i].number);
		const uint8_t *b = fm->f[i].bytes;
		size_t pos = 0;

		if (fd == NULL || fd->type != PROTOBUF_C_TYPE_STRING)
			continue;
		while (pos < fm->f[i].len) {
			size_t n;

			(void)wire_varint(b, &pos);
			n = (size_t)wire_varint(b, &pos);
			if (memchr(b + pos, 0, n) != NULL)
				return refuse(err, fd->name, "%s contains a NUL character", fd->name);
			pos += n;
		}
	}
	return 0;
}

/* The wire checks come first and reuse fieldmap_parse, so that a body
 * accepted here is always one the merge can take apart (same bounds:
 * no groups, field numbers 1..2^29-1, at most FIELDMAP_MAX_FIELDS fields). */
int record_validate_body(const kind_info *k, const uint8_t *body, size_t len, record_error *err)
{
	fieldmap fm = FIELDMAP_INIT;
	ProtobufCMessage *m = NULL;
	int rc;

	if (k == NULL)
		return refuse(err, "", "unknown record kind");
	if (body == NULL && len != 0)
		return refuse(err, "", "the %s body is missing", k->name);
	if (len > record_body_limit(k))
		return refuse(err, "", "the %s body is %zu bytes; a %s body is at most %zu bytes",
		              k->name, len, k->label, record_body_limit(k));
	rc = fieldmap_parse(body, len, &fm);
	if (rc == HEARTH_ENOMEM)
		goto fail;
	if (rc == HEARTH_ETOOBIG) {
		rc = refuse(err, "", "the %s body has more than %d fields", k->name,
		            FIELDMAP_MAX_FIELDS);
		goto fail;
	}
	if (rc != 0) {
		rc = refuse(err, "", "the %s body is not well-formed protobuf", k->name);
		goto fail;
	}
	rc = unpack_body(k, body, len, &m);
	if (rc == HEARTH_EINVAL)
		rc = refuse(err, "", "the body does not decode as a %s (%s)", k->label, k->name);
	if (rc != 0)
		goto fail;
	if (record_unknown_bytes(m) > RECORD_UNKNOWN_MAX) {
		rc = refuse(err, "",
		            "the %s body carries %zu bytes of unknown fields (from a newer version); "
		            "at most %d are kept",
		            k->name, record_unknown_bytes(m), RECORD_UNKNOWN_MAX);
		goto fail;
	}
	if ((rc = raw_strings_clean(k, &fm, err)) != 0)
		goto fail;
	rc = record_validate_message(k, m, err);
fail:
	free_body(m);
	fieldmap_free(&fm);
	return rc;
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
		return refuse(err, "id_card",
		              "id_card must be 18 characters: 17 digits and a check digit or X (got %zu)",
		              len);
	for (int i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return refuse(err, "id_card",
			              "id_card must be 17 digits followed by a digit or X (GB 11643)");
	}
	if (!((s[17] >= '0' && s[17] <= '9') || s[17] == 'X'))
		return refuse(err, "id_card",
		              "id_card must be 17 digits followed by a digit or X (GB 11643)");
	if (s[17] != id_card_check_char(s))
		return refuse(err, "id_card",
		              "id_card check digit is wrong (GB 11643); check the number for a typo");
	return 0;
}

static int check_phone(const char *s, record_error *err)
{
	for (; *s != '\0'; s++) {
		if (!((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == ' '))
			return refuse(err, "phone", "phone may contain only digits, '+', '-' and spaces");
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
		return refuse(err, "full_member_date", "full_member_date %s is before join_date %s",
		              m->full_member_date, m->join_date);
	if (has_birth && has_join && join <= birth)
		return refuse(err, "join_date", "join_date %s is not after birth_date %s",
		              m->join_date, m->birth_date);
	return 0;
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
		return refuse(err, later_name, "%s %s is before %s %s", later_name, later, earlier_name,
		              earlier);
	return 0;
}

/* Years of the Party's records: from its founding to the calendar's end. */
static int check_year(const char *field, int32_t year, record_error *err)
{
	if (year != 0 && (year < 1921 || year > 2199))
		return refuse(err, field, "%s %d is not a year from 1921 to 2199", field, (int)year);
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
				return refuse(err, field, "%s lists %s twice", field, t);
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
		return refuse(err, field, "%s \"%s\" is not a branch id (letters, digits, '-', '_', '.')",
		              field, echo(s, 0));
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
				return refuse(err, "types", "types lists %s twice",
				              enum_label(&hearth__hardship_type__descriptor, h->types[i]));
		}
	}
	if ((rc = check_year("year", h->year, err)) != 0)
		return rc;
	if (closed && is_empty(h->closed_date))
		return refuse(err, "closed_date", "closed_date is required when status is %s",
		              enum_label(&hearth__hardship_status__descriptor, h->status));
	if (!closed && !is_empty(h->closed_date))
		return refuse(err, "closed_date", "closed_date is only for status 脱困 or 移出");
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
		return refuse(err, "fund_source",
		              "fund_source is required when cash or goods_value is given");
	if (v->goods_value > 0 && is_empty(v->goods))
		return refuse(err, "goods", "goods is required when goods_value is given");
	return 0;
}

static int talk_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Talk *t = (const Hearth__Talk *)body;
	int rc;

	if ((rc = ids_distinct("members", t->members, t->n_members, err)) != 0)
		return rc;
	if (t->form == HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL && t->n_members > 1)
		return refuse(err, "members",
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
			return refuse(err, "notes", "notes[%zu].date is required", i + 1);
		if (date_parse(n->date, &d) != 0)
			return refuse(err, "notes", "notes[%zu].date %s is not a date that exists (YYYY-MM-DD)",
			              i + 1, echo(n->date, 0));
		if (is_empty(n->note))
			return refuse(err, "notes", "notes[%zu].note is required", i + 1);
		if (has_date(p->start_date, &start) && d < start)
			return refuse(err, "notes", "notes[%zu].date %s is before start_date %s", i + 1,
			              n->date, p->start_date);
	}
	if (closed && is_empty(p->end_date))
		return refuse(err, "end_date", "end_date is required when status is 已结束");
	if (closed && p->outcome == HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_UNSPECIFIED)
		return refuse(err, "outcome", "outcome is required when status is 已结束");
	if (!closed && p->outcome != HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_UNSPECIFIED)
		return refuse(err, "outcome", "outcome is only for a closed pairing (status 已结束)");
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
		return refuse(err, "title_other", "title_other is required when title is 其他");
	if (to_member && to_branch)
		return refuse(err, "recipient_branch",
		              "an honor goes to a member or to a branch, not both (member and "
		              "recipient_branch are both set)");
	if (h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG && !to_branch)
		return refuse(err, "recipient_branch", "recipient_branch is required for %s", title);
	if ((h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_MEMBER ||
	     h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_WORKER) && !to_member)
		return refuse(err, "member", "member is required for %s", title);
	if (!to_member && !to_branch)
		return refuse(err, "member", "member or recipient_branch is required");
	return 0;
}

static int activity_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Activity *a = (const Hearth__Activity *)body;
	int rc;

	if ((rc = ids_distinct("members", a->members, a->n_members, err)) != 0)
		return rc;
	if (a->participant_count < 0)
		return refuse(err, "participant_count", "participant_count is negative (%d)",
		              (int)a->participant_count);
	if (a->participant_count > 0 && (size_t)a->participant_count < a->n_members)
		return refuse(err, "participant_count",
		              "participant_count %d is less than the %zu members listed",
		              (int)a->participant_count, a->n_members);
	return 0;
}

static int disclosure_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Disclosure *d = (const Hearth__Disclosure *)body;

	return dates_in_order("from_date", d->from_date, "to_date", d->to_date, err);
}

/* due = base_income x rate / 10000 (rate in basis points), rounded half up to the
 * fen, whenever base_income and rate are given; a fixed due (students, the
 * unemployed) has neither.  Paying more than due is allowed: members may
 * voluntarily pay more (自愿多交). */
static int dues_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Dues *d = (const Hearth__Dues *)body;
	const char *status = enum_label(&hearth__dues_status__descriptor, d->status);
	int has_paid_date = !is_empty(d->paid_date);

	if (d->rate < 0 || d->rate > 10000)
		return refuse(err, "rate", "rate %d is not between 0 and 10000 basis points (0%% to 100%%)",
		              (int)d->rate);
	if (d->base_income > 0 && d->rate == 0)
		return refuse(err, "rate", "rate is required when base_income is given");
	if (d->rate > 0 && d->base_income == 0)
		return refuse(err, "base_income", "base_income is required when rate is given");
	if (d->base_income > INT64_MAX / 10001)
		return refuse(err, "base_income", "base_income %lld fen is too large", (long long)d->base_income);
	if (d->base_income > 0) {
		int64_t expect = (d->base_income * d->rate + 5000) / 10000;

		if (d->due != expect)
			return refuse(err, "due",
			              "due %lld fen does not match base_income x rate (%lld fen x %d/10000 = %lld fen)",
			              (long long)d->due, (long long)d->base_income, (int)d->rate, (long long)expect);
	}
	if (d->paid > 0 && !has_paid_date)
		return refuse(err, "paid_date", "paid_date is required when paid is given");
	if (d->paid == 0 && has_paid_date)
		return refuse(err, "paid", "paid is required when paid_date is given");
	switch (d->status) {
	case HEARTH__DUES_STATUS__DUES_STATUS_UNPAID:
	case HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT:
		if (d->paid != 0)
			return refuse(err, "paid", "paid must be 0 when status is %s (got %lld fen)", status,
			              (long long)d->paid);
		break;
	case HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL:
		if (d->paid == 0)
			return refuse(err, "paid", "paid is required when status is %s", status);
		if (d->paid >= d->due)
			return refuse(err, "paid",
			              "paid %lld fen is not less than due %lld fen; status %s means part of it",
			              (long long)d->paid, (long long)d->due, status);
		break;
	case HEARTH__DUES_STATUS__DUES_STATUS_PAID:
		if (d->paid < d->due)
			return refuse(err, "paid", "paid %lld fen is less than due %lld fen; use status 部分缴纳",
			              (long long)d->paid, (long long)d->due);
		if (!has_paid_date)
			return refuse(err, "paid_date", "paid_date is required when status is %s", status);
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
		return refuse(err, "to_branch", "to_branch %s is the same as from_branch",
		              echo(t->to_branch, 0));
	if ((rc = dates_in_order("issued_date", t->issued_date, "valid_until", t->valid_until, err)))
		return rc;
	if (accepted && is_empty(t->accepted_date))
		return refuse(err, "accepted_date", "accepted_date is required when status is 已接收");
	if (!accepted && !is_empty(t->accepted_date))
		return refuse(err, "accepted_date", "accepted_date is only for status 已接收");
	if ((rc = dates_in_order("issued_date", t->issued_date, "accepted_date", t->accepted_date,
	                         err)) != 0)
		return rc;
	if (has_date(t->accepted_date, &acc) && has_date(t->valid_until, &until) && acc > until)
		return refuse(err, "accepted_date",
		              "accepted_date %s is after valid_until %s: the letter had expired; issue a "
		              "new one",
		              t->accepted_date, t->valid_until);
	if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED && is_empty(t->return_reason))
		return refuse(err, "return_reason", "return_reason is required when status is 已退回");
	return 0;
}

/* -------------------------------------------------------------- masking
 *
 * The rule every mask must keep: a masked value, combined with every
 * unmasked field of the same record, leaves at least RECORD_MASK_CANDIDATES
 * (10,000) values it could have been.  Counting is per hidden character: a
 * hidden digit is 10 candidates, unless another visible field determines it.
 *
 * - Id card (GB 11643: area 6, birth date 8, sequence 3, check 1): a member
 *   shows birth_date (8 digits) and gender (the parity of the 17th digit),
 *   and its address names the province (digits 1-2).  Showing the area code
 *   and the sequence (the old 110101********1234) therefore gave the whole
 *   number back.  Only the first and the check character are kept now
 *   (1****************4): counties 10^4 x sequence 10^2 x parity 5, / 11
 *   for the visible check character, about 450,000 candidates.  The county
 *   digits count as free because an id card carries the county of first
 *   registration, not of today's address.
 * - Phone: 3 + 4 characters are kept (139****1111) only while at least 4
 *   digits stay hidden (10^4); shorter numbers keep fewer, e.g. a 7-digit
 *   landline shows ****567.  Separators ('+', '-', ' ') count as known.
 * - Free text (household, health, talk content): first and last character
 *   of text longer than 4 characters, all '*' otherwise.
 * - Sensitive amounts never come here: they are shown as "***".
 * tests/unit/common/test_record.c (test_mask_candidates) checks every
 * sensitive field of every kind against this rule. */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t count_digits(const char *s, size_t n)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++)
		d += is_digit(s[i]) ? 1 : 0;
	return d;
}

/* A phone-like value (ASCII only, so characters are bytes): keeps 3 + 4
 * characters while that still hides RECORD_MASK_MIN_HIDDEN_DIGITS digits,
 * dropping the head first, then the tail, until it does. */
static void phone_keep(const char *s, size_t len, long *head, long *tail)
{
	size_t digits = count_digits(s, len);

	*head = 3;
	*tail = 4;
	while (*head + *tail > 0) {
		size_t kept;

		if ((size_t)(*head + *tail) <= len) {
			kept = count_digits(s, (size_t)*head) +
			       count_digits(s + len - (size_t)*tail, (size_t)*tail);
			if (digits - kept >= RECORD_MASK_MIN_HIDDEN_DIGITS)
				return;
		}
		if (*head > 0)
			(*head)--;
		else
			(*tail)--;
	}
}

/* Counts characters (not bytes), so a name like 欧阳娜娜娜 masks to 欧***娜.
 * The shape decides the rule: an 18-character id card keeps its first and
 * last character, a phone-like value of 7 or more characters see
 * phone_keep, anything else longer than 4 keeps its first and last
 * character, and short values are all '*'.  Text that is not valid UTF-8 is
 * all '*', one per byte. */
void record_mask(const char *value, char *out, size_t cap)
{
	const char *s = value ? value : "";
	size_t len = strlen(s), o = 0, pos = 0;
	long n = utf8_chars(s, len);
	long keep_head = 0, keep_tail = 0;
	int digits17 = 1, phone = 1;

	if (cap == 0)
		return;
	if (n < 0)
		n = (long)len;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (i < 17 && !is_digit(c))
			digits17 = 0;
		if (!(is_digit(c) || c == '+' || c == '-' || c == ' '))
			phone = 0;
	}
	if (utf8_chars(s, len) >= 0) {
		if (len == 18 && digits17 && (is_digit(s[17]) || s[17] == 'X' || s[17] == 'x')) {
			keep_head = 1;
			keep_tail = 1;
		} else if (phone && n >= 7) {
			phone_keep(s, len, &keep_head, &keep_tail);
		} else if (n > 4) {
			keep_head = 1;
			keep_tail = 1;
		}
	}
	for (long i = 0; i < n; i++) {
		size_t clen = 1;

		if (keep_head + keep_tail > 0) {
			unsigned char c = (unsigned char)s[pos];

			clen = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		}
		if (i < keep_head || i >= n - keep_tail) {
			if (o + clen >= cap)
				break;
			memcpy(out + o, s + pos, clen);
			o += clen;
		} else {
			if (o + 1 >= cap)
				break;
			out[o++] = '*';
		}
		pos += clen;
	}
	out[o] = '\0';
}

size_t record_unique_key(const kind_info *k, const ProtobufCMessage *m, uint8_t key[RECORD_UNIQUE_KEY_MAX])
{
	if (m == NULL)
		return 0;
	if (k->kind == HEARTH__KIND__KIND_DUES) {
		const Hearth__Dues *d = (const Hearth__Dues *)m;

		if (d->member.len != 16 || d->month == NULL || strlen(d->month) != 7)
			return 0;
		key[0] = 'u';
		key[1] = 'd';
		memcpy(key + 2, d->member.data, 16);
		memcpy(key + 18, d->month, 7);
		return 25;
	}
	if (k->kind == HEARTH__KIND__KIND_HARDSHIP) {
		const Hearth__Hardship *h = (const Hearth__Hardship *)m;

		if (h->member.len != 16 ||
		    (h->status != HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED &&
		     h->status != HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING))
			return 0;
		key[0] = 'u';
		key[1] = 'h';
		memcpy(key + 2, h->member.data, 16);
		return 18;
	}
	return 0;
}

int record_refs_each(const kind_info *k, const ProtobufCMessage *m, record_ref_fn fn, void *ctx)
{
	if (m == NULL)
		return 0;
	for (size_t i = 0; i < k->n_rules; i++) {
		const ProtobufCFieldDescriptor *fd;
		const ProtobufCBinaryData *b;
		size_t n;

		if (!(k->rules[i].flags & FIELD_ID))
			continue;
		fd = protobuf_c_message_descriptor_get_field(k->desc, k->rules[i].number);
		if (fd == NULL || fd->type != PROTOBUF_C_TYPE_BYTES)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)m + fd->quantifier_offset);
			b = *(ProtobufCBinaryData *const *)((const char *)m + fd->offset);
		} else {
			n = 1;
			b = (const ProtobufCBinaryData *)((const char *)m + fd->offset);
		}
		for (size_t j = 0; j < n; j++) {
			int rc;
			if (b[j].len != 16)
				continue;
			if ((rc = fn(ctx, fd->name, b[j].data)) != 0)
				return rc;
		}
	}
	return 0;
}
