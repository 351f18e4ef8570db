/* record_args.c: a record command's flags (generated from the kind's
 * fields), parsing the command line and the values into a body, and its
 * help. */
#include "client/cmd/record_args.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <lmdb.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client/cmd/import.h"
#include "client/core/field_input.h"
#include "client/core/filters.h"
#include "client/core/identity.h"
#include "client/core/member_log.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/replica_events.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/tls.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "common/uuid.h"

const char *const rargs_sub_names[RARGS_N_SUBS] = { "add", "edit", "delete", "show", "list", "note",
                                                      "restore", "need", "attach", "attachments", "detach" };

/* Which fixed options each subcommand takes (bit per O_* - O_BRANCH). */
#define BIT(o) (1u << ((o) - O_BRANCH))
static const unsigned sub_fixed[] = {
	[SUB_ADD] = BIT(O_BRANCH),
	[SUB_EDIT] = 0,
	[SUB_DELETE] = BIT(O_CONFIRM_REFERENCED),
	[SUB_SHOW] = BIT(O_JSON) | BIT(O_REVEAL),
	[SUB_LIST] = BIT(O_JSON) | BIT(O_CSV) | BIT(O_BOM) | BIT(O_REVEAL) | BIT(O_ALL) | BIT(O_DELETED) | BIT(O_XLSX),
	[SUB_NOTE] = BIT(O_NOTE_DATE) | BIT(O_NOTE_TEXT) | BIT(O_NOTE_BY) | BIT(O_NOTE_CHANNEL),
	[SUB_RESTORE] = 0,
	[SUB_NEED] = BIT(O_NEED_REASON) | BIT(O_NOTE_DATE) | BIT(O_NOTE_TEXT) | BIT(O_NOTE_BY),
	[SUB_ATTACH] = BIT(O_NOTE_TEXT),
	[SUB_ATTACHMENTS] = BIT(O_JSON),
	[SUB_DETACH] = 0,
};
static const int sub_takes_fields[] = { 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };

static const struct {
	const char *name;
	int has_arg;
	int val;
} fixed_opts[] = {
	{ "branch", required_argument, O_BRANCH },
	{ "json", no_argument, O_JSON },
	{ "csv", no_argument, O_CSV },
	{ "bom", no_argument, O_BOM },
	{ "xlsx", required_argument, O_XLSX },
	{ "reveal", no_argument, O_REVEAL },
	{ "all", no_argument, O_ALL },
	{ "date", required_argument, O_NOTE_DATE },
	{ "note", required_argument, O_NOTE_TEXT },
	{ "by", required_argument, O_NOTE_BY },
	{ "confirm-referenced", no_argument, O_CONFIRM_REFERENCED },
	{ "deleted", no_argument, O_DELETED },
	{ "channel", required_argument, O_NOTE_CHANNEL },
	{ "reason", required_argument, O_NEED_REASON },
};

void rargs_say(const record_cmd *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Every message names the command it came from, so a script running several
 * can tell which one failed: "hearth: member add: ...". */
void rargs_say(const record_cmd *m, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: %s %s: ", m->k->name, rargs_sub_names[m->sub]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A value as typed, safe to echo in a message: text that is valid UTF-8
 * without control characters is shown as is; otherwise bytes that could
 * garble the terminal are written as \xNN. Long values are cut. */
const char *rargs_shown(const char *s, char *buf, size_t cap)
{
	size_t len = strlen(s), o = 0;
	int clean = utf8_valid(s, len);

	for (size_t i = 0; clean && i < len; i++)
		clean = (unsigned char)s[i] >= 0x20;
	if (clean && len < cap)
		return s;
	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f || (!clean && ch >= 0x80)) {
			snprintf(buf + o, cap - o, "\\x%02x", ch);
			o += 4;
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o] = '\0';
	return buf;
}

uint32_t rargs_rule_flags(const field_rule *r)
{
	return r ? r->flags : 0;
}

static const char *field_label(const record_flag *fl)
{
	return fl->rule && fl->rule->label ? fl->rule->label : fl->fd->name;
}

/* ------------------------------------------------------ field storage */

int64_t rargs_int_value(ProtobufCType t, const void *p)
{
	switch (t) {
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: return *(const uint32_t *)p;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		return *(const int64_t *)p;
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return (int64_t)*(const uint64_t *)p;
	default: return *(const int32_t *)p;
	}
}

/* ------------------------------------------------------ value parsing */

/* Applies every assignment, stopping at the first bad one with a message
 * that names the flag and the value as typed. Returns an exit code. */
int rargs_apply_all(record_cmd *m, ProtobufCMessage *body)
{
	char why[700];

	for (size_t i = 0; i < m->n_as; i++) {
		const record_assign *a = &m->as[i];
		int rc;

		why[0] = '\0';
		rc = field_input_apply(body, &(field_input){ .rep = &m->rep, .fd = a->fl->fd, .rule = a->fl->rule,
		                                              .fen = a->fl->fen, .text = a->value },
		                       why, sizeof(why));
		if (rc == HEARTH_ENOMEM) {
			rargs_say(m, _("out of memory"));
			return EXIT_FAIL;
		}
		if (rc != 0) {
			char vb[300];
			if (a->value)
				rargs_say(m, "--%s \"%s\": %s", a->fl->name, rargs_shown(a->value, vb, sizeof(vb)), why);
			else
				rargs_say(m, "--%s: %s", a->fl->name, why);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

/* Validation errors name a field; when the user gave that field on this
 * command line, the message starts with the flag and value as typed, so it
 * is obvious which argument to fix. */
int rargs_validate(record_cmd *m, const ProtobufCMessage *body)
{
	record_error err;
	const record_assign *given = NULL;
	char vb[300], said[640];

	memset(&err, 0, sizeof(err));
	if (record_validate_message(m->k, body, &err) == 0)
		return EXIT_OK;
	for (size_t i = 0; i < m->n_as; i++) {
		if (!strcmp(m->as[i].fl->fd->name, err.field))
			given = &m->as[i];
	}
	reasons_localize(m->k, err.message, said, sizeof(said));
	if (given && given->value)
		rargs_say(m, "--%s \"%s\": %s", given->fl->name, rargs_shown(given->value, vb, sizeof(vb)),
		    said);
	else if (given)
		rargs_say(m, "--%s: %s", given->fl->name, said);
	else
		rargs_say(m, "%s", said);
	return EXIT_USAGE;
}

/* The repeated ProgressNote field of a kind (a pairing's notes), or NULL.
 * Found by type, so any kind that adds dated notes gets `note` and their
 * display without code here. */
const ProtobufCFieldDescriptor *rargs_notes_field(const kind_info *k)
{
	return member_log_notes_field(k);
}

/* ------------------------------------------------------------- help */

static const char *arg_word(const record_flag *fl)
{
	uint32_t f = rargs_rule_flags(fl->rule);

	if (fl->fd->label == PROTOBUF_C_LABEL_REPEATED)
		return "LIST";
	if (fl->fen)
		return "FEN";
	if (f & FIELD_MONEY)
		return "YUAN";
	if (f & FIELD_DATE)
		return "YYYY-MM-DD";
	if (f & FIELD_MONTH)
		return "YYYY-MM";
	if (f & FIELD_PERCENT)
		return "PERCENT";
	if (f & FIELD_ID)
		return "ID";
	switch (fl->fd->type) {
	case PROTOBUF_C_TYPE_ENUM: return "VALUE";
	case PROTOBUF_C_TYPE_BOOL: return NULL;
	case PROTOBUF_C_TYPE_STRING: return "TEXT";
	default: return "N";
	}
}

/* What a field's label alone leaves open, said in its help line. */
static const struct {
	Hearth__Kind kind;
	uint32_t field;
	const char *hint;
} field_hints[] = {
	{ HEARTH__KIND__KIND_VISIT, 5, N_("(for the whole visit, not per person)") },
	{ HEARTH__KIND__KIND_VISIT, 7, N_("(for the whole visit, not per person)") },
	{ HEARTH__KIND__KIND_ACTIVITY, 5, N_("(default: the number of --members)") },
	{ HEARTH__KIND__KIND_HARDSHIP, 10, N_("(default: the year of --certified-at)") },
	{ HEARTH__KIND__KIND_DUES, 4, N_("(default: the official table for the dues group)") },
	{ HEARTH__KIND__KIND_DUES, 5, N_("(default: computed from the income and the dues group)") },
	{ HEARTH__KIND__KIND_DUES, 11, N_("(default: the member's)") },
	{ HEARTH__KIND__KIND_TRANSFER, 2, N_("(default: the branch it is added in)") },
};

static const char *field_hint(const kind_info *k, uint32_t field)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(field_hints); i++) {
		if (field_hints[i].kind == k->kind && field_hints[i].field == field)
			return field_hints[i].hint;
	}
	return NULL;
}

/* Lists the flags generated from the kind's body message, each with its
 * Chinese label, its rules and (for enums) the accepted values, so the help
 * grows by itself when a field is added to the table. */
static void print_field_flags(const record_cmd *m, FILE *f)
{
	size_t width = 0;

	for (size_t i = 0; i < m->n_flags; i++) {
		const char *w = arg_word(&m->flags[i]);
		size_t len = strlen(m->flags[i].name) + 4 + (w ? strlen(w) + 1 : strlen(" [yes|no]"));
		if (len > width)
			width = len;
	}
	for (size_t i = 0; i < m->n_flags; i++) {
		const record_flag *fl = &m->flags[i];
		const char *w = arg_word(fl);
		uint32_t rf = rargs_rule_flags(fl->rule);
		char left[160];

		if (w)
			snprintf(left, sizeof(left), "  --%s %s", fl->name, w);
		else
			snprintf(left, sizeof(left), "  --%s [yes|no]", fl->name);
		fprintf(f, "%-*s  %s", (int)width, left, field_label(fl));
		if (fl->fen)
			fputs(_(" in fen (1 yuan = 100 fen)"), f);
		else if (rf & FIELD_MONEY)
			fputs(_(" in yuan, up to two decimals (1,000 1000元 ￥300 3,500.00)"), f);
		if (rf & FIELD_PERCENT)
			/* xgettext:no-c-format */
			fputs(_(" as a percentage (1.5% or 1.5)"), f);
		if (field_hint(m->k, fl->fd->id))
			fprintf(f, " %s", _(field_hint(m->k, fl->fd->id)));
		if (rf & FIELD_REQUIRED)
			fputs(_(", required"), f);
		if (rf & FIELD_SENSITIVE)
			fputs(_(", sensitive (masked)"), f);
		if (rf & FIELD_ID)
			fputs(_(", a record id or unique prefix"), f);
		if (fl->fd->type == PROTOBUF_C_TYPE_ENUM) {
			char choices[512];
			field_input_enum_choices(fl->fd->descriptor, choices, sizeof(choices));
			fprintf(f, ": %s", choices);
		}
		if (fl->fd->label == PROTOBUF_C_LABEL_REPEATED)
			fputs(_(" (separate with , ， or 、)"), f);
		fputc('\n', f);
	}
}

void rargs_print_help(const record_cmd *m, int which, FILE *f)
{
	const char *k = m->k->name;

	switch (which) {
	case SUB_ADD:
		fprintf(f, _("usage: hearth %s add --FIELD VALUE... [--branch ID]\n\n"
		           "Adds a %s (%s) record to the local replica and prints its new id (only\n"
		           "the id, so scripts can capture it). Works offline; the next sync sends it.\n"
		           "--branch ID is required with an admin certificate; a branch certificate\n"
		           "always adds to its own branch.\n\nfields:\n"), k, m->k->label, k);
		break;
	case SUB_EDIT:
		fprintf(f, _("usage: hearth %s edit ID --FIELD VALUE...\n\n"
		           "Changes the given fields of a %s record (ID: full id or a unique prefix of\n"
		           "at least 4 hex digits). An empty value (--FIELD \"\") clears a field.\n"
		           "\nfields:\n"), k, m->k->label);
		break;
	case SUB_DELETE:
		fprintf(f, _("usage: hearth %s delete ID [--confirm-referenced]\n\n"
		             "Deletes a %s record (ID: full id or a unique prefix). The deletion is\n"
		             "recorded locally and sent by the next sync; 'hearth %s restore ID' brings\n"
		             "it back until the server purges its tombstone.\n"
		             "  --confirm-referenced  delete a member that other records (hardship,\n"
		             "                        visits, talks, dues, ...) refer to; without it such\n"
		             "                        a delete is refused, naming what refers to it\n"),
		        k, m->k->label, k);
		return;
	case SUB_RESTORE:
		fprintf(f, _("usage: hearth %s restore ID\n\n"
		             "Brings a deleted %s record back, with the fields it had, as a new\n"
		             "revision (sent by the next sync). Possible until the server purges its\n"
		             "tombstone; 'hearth %s list --deleted' lists what can be restored.\n"),
		        k, m->k->label, k);
		return;
	case SUB_SHOW:
		fprintf(f, _("usage: hearth %s show ID [--json] [--reveal]\n\n"
		           "Shows every field of a %s record with its label, and its id, revision,\n"
		           "branch, last update and whether local changes are pending.\n"
		           "  --json    one JSON object (enums as short names, money in fen)\n"
		           "  --reveal  show sensitive fields unmasked (recorded in the audit log)\n"), k,
		        m->k->label);
		return;
	case SUB_NOTE:
		if (m->k->kind == HEARTH__KIND__KIND_MEMBER) {
			fputs(_("usage: hearth member note MEMBER --date YYYY-MM-DD --channel HOW --note TEXT [--by NAME]\n\n"
			        "Adds a line to a member's contact log (联系记录), kept for mobile members\n"
			        "(流动党员): the day, how (电话, 微信, 上门, 来信...) and what was said, one\n"
			        "line of at most 200 characters. 'hearth due' reminds when a mobile member\n"
			        "has none for 90 days (profile.ini [due] contact_gap_days).\n"), f);
			return;
		}
		fprintf(f, _("usage: hearth %s note ID --date YYYY-MM-DD --note TEXT [--by NAME]\n\n"
		           "Adds a dated progress note to a %s record (ID: full id or a unique\n"
		           "prefix). The note is one line of at most 200 characters; its date may not be\n"
		           "before the record's start date.\n"), k, m->k->label);
		return;
	case SUB_NEED:
		fputs(_("usage: hearth member need MEMBER --reason TRIGGER --date YYYY-MM-DD [--note TEXT] [--by NAME]\n\n"
		        "Records a talk the rules require of a member (需谈话事项): --reason is the\n"
		        "trigger of the talk (困难, 矛盾, 失误, 问题, 提拔, or another 谈话起因), --date\n"
		        "the day it is owed from. 'hearth due' lists it until a talk with that\n"
		        "trigger and that member is held on or after the date, overdue after\n"
		        "talk_window_days (30).\n"), f);
		return;
	case SUB_ATTACH:
		fprintf(f, _("usage: hearth %s attach ID FILE [--note TEXT]\n\n"
		             "Attaches FILE to a %s record: a photo (JPEG, PNG), a PDF scan or an office\n"
		             "document (Word, Excel, PowerPoint), its type told by its content. The\n"
		             "replica keeps a copy; the name, type, size and SHA-256 sync as a change of\n"
		             "the record, the content separately.\n"
		             "  --note TEXT  one line about the file (at most 200 characters)\n"),
		        k, m->k->label);
		return;
	case SUB_ATTACHMENTS:
		fprintf(f, _("usage: hearth %s attachments ID [--json]\n\n"
		             "Lists the attachments of a %s record: name, type, size, who added it and\n"
		             "when, the start of its SHA-256, and whether this replica holds its content.\n"
		             "'hearth attachment get HASH|NAME --to FILE' writes one out.\n"),
		        k, m->k->label);
		return;
	case SUB_DETACH:
		fprintf(f, _("usage: hearth %s detach ID NAME\n\n"
		             "Removes the attachment NAME from a %s record (sent by the next sync). The\n"
		             "record's history keeps its name and hash.\n"),
		        k, m->k->label);
		return;
	case SUB_LIST:
		fprintf(f, _("usage: hearth %s list [--json | --csv [--bom] | --xlsx FILE] [--reveal] [--all | --deleted]\n"
		           "                        [--member ID] [--year YYYY] [--status S] [--type T]\n"
		           "                        [--from DATE] [--to DATE] [--FIELD VALUE...]\n\n"
		           "Lists %s records as an aligned table. Ids are shortened to the shortest\n"
		           "prefix (at least 8 characters) that tells local records apart; every\n"
		           "command accepts it.\n"
		           "  --json       a JSON array of objects (enums as short names, money in fen)\n"
		           "  --csv        CSV with every field, Chinese headers, CRLF line ends\n"
		           "  --bom        with --csv: start with a UTF-8 BOM so Excel reads Chinese\n"
		           "  --reveal     show sensitive fields unmasked (recorded in the audit log)\n"
		           "  --all        include deleted records\n"
		           "  --deleted    only deleted records (what 'restore' can bring back)\n"
		           "  --FIELD VALUE  only records whose field equals VALUE (lists: contain it)\n"
		           ""), k, m->k->label);
		fputs(_("  --xlsx FILE  write an Excel workbook instead: Chinese headers, id cards and\n"
		        "               phones as text, dates as dates, money as numbers in yuan\n"), f);
		fputs("\n", f);
		filter_help(m->k, f);
		fputs(_("\nfields:\n"), f);
		break;
	default:
		fprintf(f, _("usage: hearth %s add|edit|delete|show|list|restore [options]\n\n"
		           "%s (%s) records in the local replica. Every command works offline;\n"
		           "changes reach the server on the next sync.\n\n"
		           "  hearth %s add --FIELD VALUE... [--branch ID]   prints the new id\n"
		           "  hearth %s edit ID --FIELD VALUE...\n"
		           "  hearth %s delete ID [--confirm-referenced]\n"
		           "  hearth %s restore ID\n"
		           "  hearth %s show ID [--json] [--reveal]\n"
		           "  hearth %s list [--json | --csv [--bom]] [--reveal] [--all] [--year YYYY]\n"),
		        k, m->k->label, k, k, k, k, k, k, k);
		if (m->k->kind == HEARTH__KIND__KIND_MEMBER)
			fputs(_("  hearth member note ID --date YYYY-MM-DD --channel HOW --note TEXT   contact log\n"
			        "  hearth member need ID --reason TRIGGER --date YYYY-MM-DD [--note TEXT]   a talk owed\n"),
			      f);
		else if (rargs_notes_field(m->k))
			fprintf(f, _("  hearth %s note ID --date YYYY-MM-DD --note TEXT [--by NAME]\n"), k);
		fprintf(f, _("  hearth %s attach ID FILE [--note TEXT]   attachments: attachments ID, detach ID NAME\n"), k);
		fprintf(f, _("  hearth %s import FILE.csv|FILE.xlsx [--dry-run]   all rows or none\n"), k);
		if (m->k->kind == HEARTH__KIND__KIND_DUES)
			fputs(_("  hearth dues month YYYY-MM [--branch ID]   the month for every active member\n"
			        "  hearth dues add --months YYYY-MM..YYYY-MM --member ID ...   prepaid months\n"),
			      f);
		fprintf(f, _("\nID is a full id or a unique prefix of at least 4 hex digits.\n"
		             "'hearth %s SUBCOMMAND --help' explains one subcommand.\n\nfields:\n"), k);
		break;
	}
	print_field_flags(m, f);
	fputs(_("\nValues: enums by short name, Chinese label or number; yes/no take\n"
	        "true/false/yes/no/1/0/是/否 (--FLAG no or --FLAG=no; a bare --FLAG is yes);\n"
	        "an empty value clears a field.\n"
	        "exit status: 0 ok, 1 failed, 2 bad usage or invalid value.\n"), f);
}

/* ------------------------------------------------------ command line */

/* Builds the flags from the kind's body descriptor: one per settable field,
 * '_' becoming '-', plus --FIELD-fen for money. */
int rargs_build_flags(record_cmd *m)
{
	const ProtobufCMessageDescriptor *d = m->k->desc;

	m->flags = calloc(d->n_fields * 2 + 1, sizeof(*m->flags));
	if (!m->flags)
		return HEARTH_ENOMEM;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const field_rule *rule = kind_rule(m->k, fd->id);
		record_flag *fl;

		if (!field_input_supported(fd, rule))
			continue;
		fl = &m->flags[m->n_flags++];
		fl->fd = fd;
		fl->rule = rule;
		snprintf(fl->name, sizeof(fl->name), "%.80s", fd->name);
		for (char *p = fl->name; *p; p++) {
			if (*p == '_')
				*p = '-';
		}
		if ((rargs_rule_flags(rule) & FIELD_MONEY) && pbfield_is_int_type(fd->type)) {
			record_flag *fen = &m->flags[m->n_flags++];
			*fen = *fl;
			fen->fen = 1;
			snprintf(fen->name, sizeof(fen->name), "%.80s-fen", fl->name);
		}
	}
	return 0;
}

/* A yes/no flag takes its value as the next word too (`--mobile 否`, as
 * every other flag does), which getopt's optional arguments cannot: a bare
 * yes/no flag followed by a yes/no word becomes one assignment here, before
 * getopt sees the rest. Returns the remaining words in a new array (the
 * strings stay argv's; the caller frees the array) with *n_out their count,
 * or NULL when out of memory. */
static char **take_bool_values(record_cmd *m, int argc, char **argv, int *n_out)
{
	char **av = calloc((size_t)argc + 1, sizeof(*av));
	int n = 0;

	if (!av)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const record_flag *fl = NULL;
		int v;

		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				av[n++] = argv[i++];
			break;
		}
		for (size_t f = 0; i > 0 && i + 1 < argc && f < m->n_flags; f++) {
			const record_flag *c = &m->flags[f];
			if (c->fd->type == PROTOBUF_C_TYPE_BOOL && c->fd->label != PROTOBUF_C_LABEL_REPEATED &&
			    !strncmp(argv[i], "--", 2) && !strcmp(argv[i] + 2, c->name))
				fl = c;
		}
		if (fl && value_parse_bool(argv[i + 1], &v) == 0) {
			m->as[m->n_as].fl = fl;
			m->as[m->n_as].value = argv[i + 1];
			m->n_as++;
			i++;
			continue;
		}
		av[n++] = argv[i];
	}
	av[n] = NULL;
	*n_out = n;
	return av;
}

/* Parses the subcommand's options. Returns EXIT_OK, EXIT_USAGE (message
 * printed), or -1 after printing help (the caller returns EXIT_OK). */
int rargs_parse_args(record_cmd *m, int argc, char **argv)
{
	struct option *opts;
	char **av = NULL;
	size_t n = 0;
	int o, rc = EXIT_OK;
	int npos = 0;

	opts = calloc(m->n_flags + HEARTH_ARRAY_LEN(fixed_opts) + 2, sizeof(*opts));
	m->as = calloc((size_t)argc + 1, sizeof(*m->as));
	if (!opts || !m->as) {
		rargs_say(m, _("out of memory"));
		free(opts);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(fixed_opts); i++) {
		if (sub_fixed[m->sub] & BIT(fixed_opts[i].val))
			opts[n++] = (struct option){ fixed_opts[i].name, fixed_opts[i].has_arg, NULL,
			                             fixed_opts[i].val };
	}
	opts[n++] = (struct option){ "help", no_argument, NULL, O_HELP };
	if (sub_takes_fields[m->sub]) {
		for (size_t i = 0; i < m->n_flags; i++) {
			int bare = m->flags[i].fd->type == PROTOBUF_C_TYPE_BOOL &&
			           m->flags[i].fd->label != PROTOBUF_C_LABEL_REPEATED;
			opts[n++] = (struct option){ m->flags[i].name,
			                             bare ? optional_argument : required_argument, NULL,
			                             O_FIELD + (int)i };
		}
	}
	if (sub_takes_fields[m->sub]) {
		av = take_bool_values(m, argc, argv, &argc);
		if (!av) {
			rargs_say(m, "out of memory");
			free(opts);
			return EXIT_FAIL;
		}
		argv = av;
	}
	/* argv[0] is the subcommand; getopt starts after it. */
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case O_HELP:
			rargs_print_help(m, (int)m->sub, stdout);
			rc = -1;
			goto done;
		case O_BRANCH: m->branch = optarg; break;
		case O_JSON: m->json = 1; break;
		case O_CSV: m->csv = 1; break;
		case O_BOM: m->bom = 1; break;
		case O_XLSX: m->xlsx = optarg; break;
		case O_REVEAL: m->reveal = 1; break;
		case O_ALL: m->all = 1; break;
		case O_NOTE_DATE: m->note_date = optarg; break;
		case O_NOTE_TEXT: m->note_text = optarg; break;
		case O_NOTE_BY: m->note_by = optarg; break;
		case O_NOTE_CHANNEL: m->note_channel = optarg; break;
		case O_NEED_REASON: m->need_reason = optarg; break;
		case O_CONFIRM_REFERENCED: m->confirm_referenced = 1; break;
		case O_DELETED: m->deleted_only = 1; break;
		case ':':
			rargs_say(m, _("%s needs a value; see 'hearth %s %s --help'"), argv[optind - 1], m->k->name,
			    rargs_sub_names[m->sub]);
			rc = EXIT_USAGE;
			goto done;
		case '?':
			rargs_say(m, _("unknown option \"%s\"; see 'hearth %s %s --help'"), argv[optind - 1],
			    m->k->name, rargs_sub_names[m->sub]);
			rc = EXIT_USAGE;
			goto done;
		default:
			if (o >= O_FIELD && (size_t)(o - O_FIELD) < m->n_flags) {
				m->as[m->n_as].fl = &m->flags[o - O_FIELD];
				m->as[m->n_as].value = optarg;
				m->n_as++;
			}
			break;
		}
	}
	for (int i = optind; i < argc; i++) {
		int wants_id = m->sub == SUB_EDIT || m->sub == SUB_DELETE || m->sub == SUB_SHOW ||
		               m->sub == SUB_NOTE || m->sub == SUB_RESTORE || m->sub >= SUB_NEED;
		if (wants_id && npos == 0) {
			m->id_text = argv[i];
			npos++;
			continue;
		}
		if ((m->sub == SUB_ATTACH || m->sub == SUB_DETACH) && npos == 1) {
			m->file_arg = argv[i];
			npos++;
			continue;
		}
		char vb[300];
		rargs_say(m, _("unexpected argument \"%s\"; see 'hearth %s %s --help'"),
		    rargs_shown(argv[i], vb, sizeof(vb)), m->k->name,
		    rargs_sub_names[m->sub]);
		rc = EXIT_USAGE;
		goto done;
	}
	if ((m->sub == SUB_EDIT || m->sub == SUB_DELETE || m->sub == SUB_SHOW ||
	     m->sub == SUB_NOTE || m->sub == SUB_RESTORE || m->sub >= SUB_NEED) && !m->id_text) {
		rargs_say(m, _("give the id of the %s (full id or a unique prefix)"), m->k->name);
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_ATTACH && !m->file_arg) {
		rargs_say(m, _("give the file to attach: hearth %s attach ID FILE"), m->k->name);
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_DETACH && !m->file_arg) {
		rargs_say(m, _("give the name of the attachment: hearth %s detach ID NAME"), m->k->name);
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_NOTE && (!m->note_date || !m->note_text)) {
		rargs_say(m, _("give --date YYYY-MM-DD and --note TEXT"));
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_NEED && (!m->need_reason || !m->note_date)) {
		rargs_say(m, _("give --reason (困难, 矛盾, 失误, 问题, 提拔...) and --date YYYY-MM-DD"));
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_EDIT && m->n_as == 0) {
		rargs_say(m, _("nothing to change; give at least one --FIELD"));
		rc = EXIT_USAGE;
	} else if (m->json && m->csv) {
		rargs_say(m, _("--json and --csv exclude each other; pick one"));
		rc = EXIT_USAGE;
	} else if (m->all && m->deleted_only) {
		rargs_say(m, _("--all and --deleted exclude each other; pick one"));
		rc = EXIT_USAGE;
	} else if (m->xlsx && (m->json || m->csv)) {
		rargs_say(m, _("--xlsx FILE writes a workbook; it excludes --json and --csv"));
		rc = EXIT_USAGE;
	} else if (m->bom && !m->csv) {
		rargs_say(m, _("--bom only applies to --csv"));
		rc = EXIT_USAGE;
	}
done:
	free(av);
	free(opts);
	return rc;
}
