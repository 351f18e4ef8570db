/* record_args.h: the command line of `hearth KIND add|edit|delete|show|
 * list|note|restore|attach|attachments|detach` (record_args.c): the flags generated from the kind's fields,
 * parsing them and their values into a body, and the help text. The
 * record_cmd below is the state every record subcommand shares. */
#ifndef HEARTH_CMD_RECORD_ARGS_H
#define HEARTH_CMD_RECORD_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/cmd/cli.h"
#include "client/core/filters.h"
#include "client/core/member_lookup.h"
#include "client/core/replica.h"
#include "common/record.h"

#define RARGS_N_SUBS 11

enum record_sub {
	SUB_ADD, SUB_EDIT, SUB_DELETE, SUB_SHOW, SUB_LIST, SUB_NOTE, SUB_RESTORE, SUB_NEED,
	SUB_ATTACH, SUB_ATTACHMENTS, SUB_DETACH,   /* client/cmd/attach.c */
};

/* getopt values: the fixed options, then one per generated field flag. */
enum {
	O_HELP = 'h',
	O_BRANCH = 1000,
	O_JSON,
	O_CSV,
	O_BOM,
	O_REVEAL,
	O_ALL,
	O_NOTE_DATE,
	O_NOTE_TEXT,
	O_NOTE_BY,
	O_CONFIRM_REFERENCED,
	O_DELETED,
	O_XLSX,
	O_NOTE_CHANNEL,
	O_NEED_REASON,
	O_FIELD = 2000,
};

/* A flag generated from one body field: --birth-date, or for money also the
 * --FIELD-fen variant. */
typedef struct record_flag {
	const ProtobufCFieldDescriptor *fd;
	const field_rule *rule;    /* NULL when the table has none */
	int fen;                   /* the integer-fen variant of a money field */
	char name[96];             /* without the leading dashes */
} record_flag;

/* One --FIELD VALUE from the command line; value NULL is a bare bool flag. */
typedef struct record_assign {
	const record_flag *fl;
	const char *value;
} record_assign;

typedef struct record_cmd {
	cli *c;
	const kind_info *k;
	enum record_sub sub;
	record_flag *flags;
	size_t n_flags;
	record_assign *as;
	size_t n_as;
	const char *branch, *id_text;
	char branch_id[128];        /* --branch resolved to an id (rrep_pick_branch) */
	const char *note_date, *note_text, *note_by;   /* `note`, `need`; note_text also `attach --note` */
	const char *note_channel;                      /* `note --channel` (a member's contact) */
	const char *need_reason;                       /* `need --reason` (a talk trigger) */
	const char *file_arg;    /* `attach ID FILE`: the file; `detach ID NAME`: the name */
	int json, csv, bom, reveal, all;
	int confirm_referenced;  /* delete: the person confirmed deleting a member others refer to */
	int deleted_only;        /* list --deleted: only deleted records (the recycle bin) */
	const char *xlsx;             /* list --xlsx FILE */
	replica rep;
	int rep_open;
	list_filter filt;      /* list filters (client/filters.c) */
	member_namer namer;    /* references by name; set up at the first one printed */
} record_cmd;

/* The subcommands' names, by enum record_sub. */
extern const char *const rargs_sub_names[RARGS_N_SUBS];

/* Every message names the command it came from, so a script running several
 * can tell which one failed: "hearth: member add: ...". */
void rargs_say(const record_cmd *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A value as typed, safe to echo in a message: text that is valid UTF-8
 * without control characters is shown as is; otherwise bytes that could
 * garble the terminal are written as \xNN. Long values are cut. */
const char *rargs_shown(const char *s, char *buf, size_t cap);

uint32_t rargs_rule_flags(const field_rule *r);

int64_t rargs_int_value(ProtobufCType t, const void *p);

/* Applies every assignment, stopping at the first bad one with a message
 * that names the flag and the value as typed. Returns an exit code. */
int rargs_apply_all(record_cmd *m, ProtobufCMessage *body);

/* Validation errors name a field; when the user gave that field on this
 * command line, the message starts with the flag and value as typed, so it
 * is obvious which argument to fix. */
int rargs_validate(record_cmd *m, const ProtobufCMessage *body);

/* The repeated ProgressNote field of a kind (a pairing's notes), or NULL.
 * Found by type, so any kind that adds dated notes gets `note` and their
 * display without code here. */
const ProtobufCFieldDescriptor *rargs_notes_field(const kind_info *k);

void rargs_print_help(const record_cmd *m, int which, FILE *f);

/* Builds the flags from the kind's body descriptor: one per settable field,
 * '_' becoming '-', plus --FIELD-fen for money. */
int rargs_build_flags(record_cmd *m);

/* Parses the subcommand's options. Returns EXIT_OK, EXIT_USAGE (message
 * printed), or -1 after printing help (the caller returns EXIT_OK). */
int rargs_parse_args(record_cmd *m, int argc, char **argv);

#endif
