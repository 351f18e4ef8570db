/* rejected.c: `hearth rejected`, listing the local changes the server
 * rejected and discarding one on purpose. */
#include "client/cmd/rejected.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/replica_rejected.h"
#include "client/ui/output.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

static const char *kind_word(Hearth__Kind kind)
{
	const kind_info *k = kind_find(kind);
	return k ? k->name : "record";
}

/* The kind as a person reads it: its label in Chinese, else its CLI word. */
static const char *kind_shown(Hearth__Kind kind)
{
	const kind_info *k = kind_find(kind);

	if (k == NULL)
		return _("record");
	return i18n_is_zh() ? k->label : k->name;
}

static const char *code_word(Hearth__ErrorCode code)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&hearth__error_code__descriptor,
	                                                                    (int)code);
	return v ? v->name : "ERR_UNKNOWN";
}

typedef struct list_ctx {
	int json;
	out_table *t;
	out_json j;
	size_t n;
	int rc;
} list_ctx;

static int list_fn(void *ctx, const replica_rejected_item *it)
{
	list_ctx *x = ctx;
	char idt[UUID_TEXT_LEN + 1], ct[UUID_TEXT_LEN + 1] = "", when[64], ops[32], said[640];

	uuid_format(it->id, idt);
	if (it->has_clash)
		uuid_format(it->clash_id, ct);
	out_local_time(it->rejected_at_ms, "", when, sizeof(when));
	x->n++;
	if (x->json) {
		out_json_begin_object(&x->j);
		out_json_key(&x->j, "id");
		out_json_string(&x->j, idt);
		out_json_key(&x->j, "kind");
		out_json_string(&x->j, kind_word(it->kind));
		out_json_key(&x->j, "code");
		out_json_string(&x->j, code_word(it->code));
		out_json_key(&x->j, "reason");
		out_json_string(&x->j, it->reason);
		out_json_key(&x->j, "field");
		out_json_string(&x->j, it->field);
		out_json_key(&x->j, "clashes_with");
		if (it->has_clash)
			out_json_string(&x->j, ct);
		else
			out_json_null(&x->j);
		out_json_key(&x->j, "ops");
		out_json_uint(&x->j, it->n_ops);
		out_json_key(&x->j, "delete");
		out_json_bool(&x->j, it->deleting);
		out_json_key(&x->j, "server_rev");
		out_json_uint(&x->j, it->server_rev);
		out_json_key(&x->j, "rejected_at_ms");
		out_json_int(&x->j, it->rejected_at_ms);
		out_json_end_object(&x->j);
		return 0;
	}
	snprintf(ops, sizeof(ops), "%zu", it->n_ops);
	if (out_table_row(x->t) || out_table_cell(x->t, idt) || out_table_cell(x->t, kind_shown(it->kind)) ||
	    out_table_cell(x->t, reasons_field_name(kind_find(it->kind), it->field)) ||
	    out_table_cell(x->t, reasons_localize(kind_find(it->kind), it->reason, said, sizeof(said))) ||
	    out_table_cell(x->t, ct) || out_table_cell(x->t, ops) || out_table_cell(x->t, when)) {
		x->rc = HEARTH_ENOMEM;
		return 1;
	}
	return 0;
}

static int do_list(replica *r, int json)
{
	list_ctx x = { .json = json };
	int rc;

	if (!json) {
		if (!(x.t = out_table_new()) || out_table_column(x.t, _("ID"), 0, 0) ||
		    out_table_column(x.t, _("KIND"), 0, 0) || out_table_column(x.t, _("FIELD"), 0, 0) ||
		    out_table_column(x.t, _("REASON"), 80, 0) || out_table_column(x.t, _("CLASHES WITH"), 0, 0) ||
		    out_table_column(x.t, _("OPS"), 0, 1) || out_table_column(x.t, _("REJECTED AT"), 0, 0)) {
			out_table_free(x.t);
			cli_error(_("rejected: out of memory"));
			return EXIT_FAIL;
		}
	} else {
		out_json_init(&x.j, stdout);
		out_json_begin_array(&x.j);
	}
	rc = replica_rejected_each(r, list_fn, &x);
	if (rc == 0)
		rc = x.rc;
	if (json) {
		out_json_end_array(&x.j);
		putchar('\n');
	} else if (rc == 0) {
		if (x.n == 0)
			printf(_("no rejected changes\n"));
		else {
			out_table_print(x.t, stdout);
			printf(P_("\n%zu rejected change kept here. Edit the record to send it again at the next "
			          "sync, or 'hearth rejected discard ID' to drop it.\n",
			          "\n%zu rejected changes kept here. Edit the record to send it again at the next "
			          "sync, or 'hearth rejected discard ID' to drop it.\n", x.n),
			       x.n);
		}
	}
	out_table_free(x.t);
	if (rc != 0) {
		cli_error(_("rejected: cannot read the local replica: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

typedef struct find_ctx {
	const char *prefix;
	size_t n;
	uint8_t id[16];
} find_ctx;

static int find_fn(void *ctx, const replica_rejected_item *it)
{
	find_ctx *f = ctx;
	char idt[UUID_TEXT_LEN + 1];

	uuid_format(it->id, idt);
	if (strncasecmp(idt, f->prefix, strlen(f->prefix)) == 0) {
		memcpy(f->id, it->id, UUID_LEN);
		f->n++;
	}
	return 0;
}

static int do_discard(replica *r, const char *text)
{
	replica_rejected_item it;
	find_ctx f = { .prefix = text };
	char err[600], idt[UUID_TEXT_LEN + 1], said[640];
	int rc;

	if (strlen(text) < 4 || strlen(text) > UUID_TEXT_LEN) {
		cli_error(_("rejected discard: \"%s\" is not a record id (give at least 4 hex digits of one "
		          "that 'hearth rejected' lists)"),
		          text);
		return EXIT_USAGE;
	}
	if ((rc = replica_rejected_each(r, find_fn, &f)) != 0) {
		cli_error(_("rejected discard: cannot read the local replica: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (f.n == 0) {
		cli_error(_("rejected discard: no record %s has a rejected change; 'hearth rejected' lists them"),
		          text);
		return EXIT_FAIL;
	}
	if (f.n > 1) {
		cli_error(_("rejected discard: %s matches %zu rejected records; give more digits"), text, f.n);
		return EXIT_FAIL;
	}
	if (replica_rejected_discard(r, f.id, &it, err, sizeof(err)) != 0) {
		cli_error(_("rejected discard: %s"), err);
		return EXIT_FAIL;
	}
	uuid_format(it.id, idt);
	reasons_localize(kind_find(it.kind), it.reason, said, sizeof(said));
	if (it.server_rev)
		printf(P_("discarded the rejected change to %s %s (%zu local edit, rejected: %s); the record is "
		          "back to the server's revision %llu\n",
		          "discarded the rejected change to %s %s (%zu local edits, rejected: %s); the record is "
		          "back to the server's revision %llu\n", it.n_ops),
		       kind_shown(it.kind), idt, it.n_ops, said, (unsigned long long)it.server_rev);
	else
		printf(P_("discarded the rejected change to %s %s (%zu local edit, rejected: %s); the server "
		          "never had this record, so it is gone\n",
		          "discarded the rejected change to %s %s (%zu local edits, rejected: %s); the server "
		          "never had this record, so it is gone\n", it.n_ops),
		       kind_shown(it.kind), idt, it.n_ops, said);
	return EXIT_OK;
}

int cmd_rejected(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	replica r;
	int json = 0, o, rc;

	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf(_("usage: hearth rejected [--json]\n"
			       "       hearth rejected discard ID\n\n"
			       "Lists the local changes the server rejected, with its reason and, when\n"
			       "it names one, the record the change clashes with. They stay here (the\n"
			       "local copy shows in 'show' and 'list') and are not sent again until you\n"
			       "edit the record: the edit is sent at the next sync. 'discard ID' drops\n"
			       "the rejected change on purpose and says what went; the record is back\n"
			       "to the server's copy, or gone if the server never had it. Offline.\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc && strcmp(argv[optind], "discard") != 0) {
		cli_error(_("rejected: unknown subcommand \"%s\"; try 'hearth rejected --help'"), argv[optind]);
		return EXIT_USAGE;
	}
	if (optind < argc && optind + 2 != argc) {
		cli_error(_("rejected discard: give exactly one record id"));
		return EXIT_USAGE;
	}
	if ((rc = cli_open_replica(c, &r, "rejected")) != EXIT_OK)
		return rc;
	rc = optind < argc ? do_discard(&r, argv[optind + 1]) : do_list(&r, json);
	replica_close(&r);
	return rc;
}
