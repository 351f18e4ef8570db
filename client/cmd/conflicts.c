/* conflicts.c: `hearth conflicts` lists the replica's open conflicts and
 * `hearth resolve` settles one (both offline; the next sync sends the
 * resolution). */
#include "client/cmd/conflicts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/record_replica.h"
#include "client/core/member_lookup.h"
#include "client/core/event_list.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/replica_conflicts.h"
#include "client/core/replica_events.h"
#include "client/core/resolve.h"
#include "client/core/server_resolve.h"
#include "client/core/session.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/utf8.h"
#include "common/uuid.h"

#define SET_MAX 64

static const char *field_name(const kind_info *k, uint32_t number, char *buf, size_t cap)
{
	const ProtobufCFieldDescriptor *fd = k ? protobuf_c_message_descriptor_get_field(k->desc, number) : NULL;
	if (fd)
		return fd->name;
	snprintf(buf, cap, "field%u", number);
	return buf;
}

/* Prints s sanitised (utf8_sanitize: a value may hold ESC, C1 or bidi
 * characters) and pads to cols terminal columns (CJK counts two), cutting
 * what does not fit with an ellipsis. */
static void put_cell(const char *s, size_t cols)
{
	char cut[512];
	char *clean = utf8_sanitize_dup(s, strlen(s), 0);
	size_t w = utf8_truncate(clean ? clean : "?", cols, cut, sizeof(cut));
	fputs(cut, stdout);
	for (; w < cols; w++)
		fputc(' ', stdout);
	free(clean);
}

typedef struct conflicts_ctx {
	replica *r;
	int json;
	size_t n;
	int failed;
	const char *branch;    /* only this branch's conflicts; NULL: all */
	int show_branch;       /* name each conflict's branch (admin console) */
	value_view view;       /* sensitive values masked unless --reveal */
	const char *cmd;       /* "conflicts" or "admin conflicts", for the reveal event */
	event_list events; /* first pass with --reveal: what the listing reveals */
	const uint8_t *only;   /* `conflicts show`: this conflict alone; NULL: all */
	member_namer names;    /* references by name in the human listing, over r */
} conflicts_ctx;

static int mine_is_op(const replica *r, const Hearth__Conflict *c)
{
	return resolve_mine_is_op(r, c);
}

static int conflict_in_view(const conflicts_ctx *x, const Hearth__Conflict *c)
{
	if (x->only && (c->id.len != UUID_LEN || memcmp(c->id.data, x->only, UUID_LEN) != 0))
		return 0;
	return !x->branch || strcmp(x->branch, c->branch_id ? c->branch_id : "") == 0;
}

/* First pass with --reveal: one reveal event per conflict that shows a
 * sensitive value (event_list_add_conflict), so that nothing is printed in
 * clear before the replica has queued its audit event. */
static int reveal_conflict(void *ctx, const Hearth__Conflict *c)
{
	conflicts_ctx *x = ctx;
	char detail[64];

	if (!conflict_in_view(x, c))
		return 0;
	snprintf(detail, sizeof(detail), "%s --reveal", x->cmd);
	return event_list_add_conflict(&x->events, c, detail);
}

static int print_conflict(void *ctx, const Hearth__Conflict *c)
{
	conflicts_ctx *x = ctx;
	const kind_info *k = kind_find(c->kind);
	char cid[UUID_TEXT_LEN + 1] = "?", rid[UUID_TEXT_LEN + 1] = "?", when[64], nb[32];
	int op_mine = mine_is_op(x->r, c);

	if (!conflict_in_view(x, c))
		return 0;
	if (c->id.len == UUID_LEN)
		uuid_format(c->id.data, cid);
	if (c->record_id.len == UUID_LEN)
		uuid_format(c->record_id.data, rid);
	out_local_time(c->created_at, _("never"), when, sizeof(when));
	if (x->json) {
		printf("%s{\"id\":\"%s\",\"kind\":\"%s\",\"record\":\"%s\",\"branch\":",
		       x->n ? "," : "", cid, k ? k->name : "unknown", rid);
		out_json_quote(stdout, c->branch_id);
		printf(",\"state\":\"%s\",\"delete_conflict\":%s,\"server_deleted\":%s,\"fields\":[",
		       c->state == HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED ? "resolved" : "open",
		       c->delete_conflict ? "true" : "false", c->server_deleted ? "true" : "false");
		for (size_t i = 0; i < c->n_fields; i++) {
			const Hearth__ConflictField *cf = c->fields[i];
			char *sv = value_field_view(k, cf->field, cf->server_value.data, cf->server_value.len, x->view);
			char *ov = value_field_view(k, cf->field, cf->op_value.data, cf->op_value.len, x->view);
			printf("%s{\"field\":", i ? "," : "");
			out_json_quote(stdout, field_name(k, cf->field, nb, sizeof(nb)));
			fputs(",\"server\":", stdout);
			out_json_quote(stdout, sv ? sv : "");
			fputs(",\"other\":", stdout);
			out_json_quote(stdout, ov ? ov : "");
			printf(",\"mine\":\"%s\"}", op_mine ? "other" : "server");
			free(sv);
			free(ov);
		}
		fputs("],\"server_by\":", stdout);
		out_json_quote(stdout, c->server_by);
		fputs(",\"op_by\":", stdout);
		out_json_quote(stdout, c->op_by);
		printf(",\"created_at\":%lld}", (long long)c->created_at);
	} else {
		if (x->n)
			putchar('\n');
		printf(_("conflict %s  %s (%s) %s"), cid, k ? k->name : "record", k ? k->label : "?", rid);
		if (x->show_branch) {
			fputs(_("  branch "), stdout);
			out_text(stdout, c->branch_id, 0);
		}
		putchar('\n');
		/* Names come from the server: sanitised like record text. */
		printf(_("  opened %s; server side by "), when);
		out_text(stdout, c->server_by[0] ? c->server_by : "?", 0);
		printf(_("%s, other side by "), op_mine ? "" : _(" (mine)"));
		out_text(stdout, c->op_by[0] ? c->op_by : "?", 0);
		printf("%s\n", op_mine ? _(" (mine)") : "");
		if (c->delete_conflict)
			printf("  %s\n", c->server_deleted
			                     ? _("the server side deleted this record; the other side edited it")
			                     : _("the other side deleted this record; the server side edited it"));
		if (c->n_fields) {
			printf("  ");
			put_cell(_("FIELD"), 28);
			put_cell(op_mine ? _("SERVER") : _("SERVER (mine)"), 32);
			printf("%s\n", op_mine ? _("OTHER (mine)") : _("OTHER"));
		}
		/* Both values as people read them, the way `history` prints them
		 * (元, names, labels, 是/否), and as `resolve --set` takes them
		 * back. */
		value_text_opts people = { .view = x->view, .style = VALUE_STYLE_PEOPLE, .names = &x->names };
		for (size_t i = 0; i < c->n_fields; i++) {
			const Hearth__ConflictField *cf = c->fields[i];
			const field_rule *rule = k ? kind_rule(k, cf->field) : NULL;
			char *sv = value_field_format(k, cf->field, cf->server_value.data, cf->server_value.len, &people);
			char *ov = value_field_format(k, cf->field, cf->op_value.data, cf->op_value.len, &people);
			char label[160];
			snprintf(label, sizeof(label), "%s %s", field_name(k, cf->field, nb, sizeof(nb)),
			         rule && rule->label ? rule->label : "");
			printf("  ");
			put_cell(label, 28);
			put_cell(sv ? sv : "?", 32);
			out_text(stdout, ov ? ov : "?", 0);
			putchar('\n');
			free(sv);
			free(ov);
		}
	}
	x->n++;
	return 0;
}

int cmd_conflicts(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "reveal", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o, json = 0, reveal = 0;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'r')
			reveal = 1;
		else if (o == 'h') {
			printf(_("usage: hearth conflicts [show CONFLICT] [--json] [--reveal]\n\n"
			       "Lists the open conflicts this replica knows of (from the last 'hearth\n"
			       "sync'), oldest first: for each, the record, who made each side and when,\n"
			       "and per field the server's value and the other side's value, with the\n"
			       "side that came from this replica marked \"mine\". Values read as\n"
			       "'hearth history' prints them (money in 元, members by name, labels) and\n"
			       "can be typed back as printed: settle one with 'hearth resolve CONFLICT\n"
			       "--keep mine|theirs' or '--set FIELD=VALUE'. --json gives the values as\n"
			       "stored (money in fen, ids), for programs.\n"
			       "Sensitive values (phone, id card, income, health, talk content) are\n"
			       "masked as 'show' masks them; --reveal shows them (recorded in the audit\n"
			       "log at the next sync).\n"
			       "'hearth conflicts show CONFLICT' shows one: its id, a unique prefix, its\n"
			       "last 12 digits, or the name of the member it is about (a member's record\n"
			       "or a record that refers to them; several are listed to choose from).\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc && !strcmp(argv[optind], "show")) {
		if (optind + 2 != argc) {
			cli_error(_("conflicts show: give one conflict: its id, a unique prefix or the last 12 "
			            "digits, or the name of the member it is about"));
			return EXIT_USAGE;
		}
		conflicts_print_opts po = { .cmd = "conflicts show", .json = json, .reveal = reveal,
		                            .conflict = argv[optind + 1] };
		return conflicts_print(c, &po);
	}
	if (optind < argc) {
		cli_error(_("conflicts: unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	conflicts_print_opts po = { .cmd = "conflicts", .json = json, .reveal = reveal };
	return conflicts_print(c, &po);
}

/* conflicts_print of the server's queue (o->given) with the replica r
 * open for "mine" and names; closes r. The server audited a reveal
 * before it answered, so nothing is queued here. */
static int print_given(conflicts_ctx *x, const conflicts_print_opts *o, replica *r)
{
	event_list shown = { 0 };
	Hearth__Conflict **cs = calloc(o->n_given ? o->n_given : 1, sizeof(*cs));
	size_t n = o->n_given;
	int rc = cs ? 0 : HEARTH_ENOMEM;

	/* A conflict resolved here waits in the outbox for the next sync: it
	 * is settled for this admin, as the replica's own list says. */
	if (rc == 0) {
		memcpy(cs, o->given, n * sizeof(*cs));
		rc = replica_drop_resolved_here(r, cs, &n);
	}
	if (x->json)
		putchar('[');
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = print_conflict(x, cs[i]);
		if (rc == 0 && x->view == VALUE_REVEALED && conflict_in_view(x, cs[i]))
			rc = event_list_add_conflict(&shown, cs[i], x->cmd);
	}
	free(cs);
	if (x->json)
		puts("]");
	else if (rc == 0 && x->n == 0)
		puts(o->branch ? _("no open conflicts in this branch") : _("no open conflicts"));
	member_namer_free(&x->names);
	replica_close(r);
	if (rc != 0) {
		event_list_free(&shown);
		cli_error("%s: %s", o->cmd, _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (shown.n)
		fprintf(stderr, _("hearth: %s: revealed sensitive values of %zu conflicts (recorded in the "
		                  "server's audit log)\n"), o->cmd, shown.n);
	event_list_free(&shown);
	return EXIT_OK;
}

int conflicts_print(cli *c, const conflicts_print_opts *o)
{
	conflicts_ctx x = { .json = o->json, .branch = o->branch, .show_branch = o->show_branch,
	                    .view = o->reveal && !(o->given && o->given_masked) ? VALUE_REVEALED : VALUE_MASKED,
	                    .cmd = o->cmd };
	uint8_t only[UUID_LEN];
	const char *cmd = o->cmd, *branch = o->branch;
	replica r;
	int rc;

	if ((rc = cli_open_replica(c, &r, cmd)) != EXIT_OK)
		return rc;
	x.r = &r;
	member_namer_init(&x.names, &r);
	if (o->conflict) {
		Hearth__Conflict *cf = NULL;
		char err[1400];
		rc = member_lookup_conflict(&r, o->conflict, &cf, err, sizeof(err));
		if (rc != 0) {
			cli_error("%s: %s", cmd, err);
			member_namer_free(&x.names);
			replica_close(&r);
			return rc == HEARTH_EINVAL || rc == HEARTH_ENOTFOUND ? EXIT_USAGE : EXIT_FAIL;
		}
		memcpy(only, cf->id.data, UUID_LEN);
		hearth__conflict__free_unpacked(cf, NULL);
		x.only = only;
	}
	if (o->given)
		return print_given(&x, o, &r);
	/* With --reveal, the events are queued before a line is printed: no
	 * clear value without its audit event. */
	if (o->reveal && (rc = replica_each_conflict(&r, reveal_conflict, &x)) == 0 && x.events.n &&
	    (rc = replica_queue_events(&r, x.events.ev, x.events.n)) != 0) {
		cli_error(_("%s: cannot record the reveal in the local replica (%s); nothing was shown"), cmd,
		          _(hearth_strerror(rc)));
		goto fail;
	}
	if (rc != 0) {
		cli_error(_("%s: cannot read the local replica: %s"), cmd, _(hearth_strerror(rc)));
		goto fail;
	}
	if (x.json)
		putchar('[');
	rc = replica_each_conflict(&r, print_conflict, &x);
	if (x.json)
		puts("]");
	else if (rc == 0 && x.n == 0)
		puts(branch ? _("no open conflicts in this branch") : _("no open conflicts"));
	member_namer_free(&x.names);
	replica_close(&r);
	if (rc != 0) {
		event_list_free(&x.events);
		cli_error(_("%s: cannot read the local replica: %s"), cmd, _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (x.events.n)
		fprintf(stderr, _("hearth: %s: revealed sensitive values of %zu conflicts (recorded in the audit "
		        "log at the next sync)\n"), cmd, x.events.n);
	event_list_free(&x.events);
	return EXIT_OK;
fail:
	event_list_free(&x.events);
	member_namer_free(&x.names);
	replica_close(&r);
	return EXIT_FAIL;
}

/* ---------------------------------------------------------- resolve */

/* Finds FIELD among the conflict's fields as the listing names it: the
 * proto name (or the same with '-' for '_') or the field's Chinese label. */
static const ProtobufCFieldDescriptor *conflict_field(const kind_info *k, const Hearth__Conflict *c,
                                                      const char *name)
{
	char norm[64];
	const ProtobufCFieldDescriptor *fd;
	size_t i;

	for (i = 0; name[i] && i < sizeof(norm) - 1; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	norm[i] = '\0';
	for (i = 0; i < c->n_fields; i++) {
		const field_rule *rule = kind_rule(k, c->fields[i]->field);
		fd = protobuf_c_message_descriptor_get_field(k->desc, c->fields[i]->field);
		if (fd && (!strcmp(fd->name, norm) || (rule && rule->label && !strcmp(rule->label, name))))
			return fd;
	}
	return NULL;
}

static void list_conflict_fields(const kind_info *k, const Hearth__Conflict *c, char *out, size_t cap)
{
	size_t o = 0;
	char nb[32];
	out[0] = '\0';
	for (size_t i = 0; i < c->n_fields && o < cap; i++) {
		const field_rule *rule = kind_rule(k, c->fields[i]->field);
		int n = snprintf(out + o, cap - o, "%s%s%s%s", i ? ", " : "",
		                 field_name(k, c->fields[i]->field, nb, sizeof(nb)),
		                 rule && rule->label ? " " : "", rule && rule->label ? rule->label : "");
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* What `hearth resolve` was asked. */
typedef struct resolve_opts {
	const char *keep;           /* "mine" or "theirs", or NULL with sets */
	const char *sets[SET_MAX];  /* FIELD=VALUE */
	size_t n_sets;
	const char *conflict;       /* its id or prefix */
} resolve_opts;

/* Parses resolve's command line into o. Returns EXIT_OK, -1 after the
 * help was printed, or EXIT_USAGE after printing why. */
static int parse_resolve(int argc, char **argv, resolve_opts *o)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->keep = optarg; break;
		case 's':
			if (o->n_sets == SET_MAX) {
				cli_error(_("resolve: at most %d --set options"), SET_MAX);
				return EXIT_USAGE;
			}
			o->sets[o->n_sets++] = optarg;
			break;
		case 'h':
			printf(_("usage: hearth resolve CONFLICT (--keep mine|theirs | --set FIELD=VALUE ...)\n\n"
			       "Settles an open conflict (see 'hearth conflicts'; CONFLICT is its id, a\n"
			       "unique prefix of at least 4 hex digits, its last 12 digits, or the name\n"
			       "of the member it is about). --keep mine takes, for every\n"
			       "conflicting field, the value that came from this replica, --keep theirs\n"
			       "the other one; --set FIELD=VALUE (repeatable) gives a value of your own,\n"
			       "and conflicting fields not named keep the server's value. FIELD is a\n"
			       "field as 'hearth conflicts' names it (address or 地址; '-' may stand for\n"
			       "'_'); VALUE is typed as the record commands take it and as 'hearth\n"
			       "conflicts' prints it: money in yuan (1,500.50, 1500元), a member by\n"
			       "name, enums by name or Chinese label, yes/no or 是/否, lists separated\n"
			       "by , or 、; an empty VALUE clears the field. For a\n"
			       "delete conflict, keeping the deleting side deletes the record and keeping\n"
			       "the editing side keeps it. The resolution is an ordinary edit: it goes\n"
			       "to the server, and closes the conflict there, on the next 'hearth sync'.\n"));
			return -1;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error(_("resolve: which conflict? see 'hearth conflicts' and 'hearth resolve --help'"));
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		cli_error(_("resolve: unexpected argument \"%s\""), argv[optind + 1]);
		return EXIT_USAGE;
	}
	if ((o->keep && o->n_sets) || (!o->keep && !o->n_sets)) {
		cli_error(_("resolve: give either --keep mine|theirs or one or more --set FIELD=VALUE"));
		return EXIT_USAGE;
	}
	if (o->keep && strcmp(o->keep, "mine") && strcmp(o->keep, "theirs")) {
		cli_error(_("resolve: --keep \"%s\": say mine or theirs"), o->keep);
		return EXIT_USAGE;
	}
	o->conflict = argv[optind];
	return EXIT_OK;
}

/* Reads each --set FIELD=VALUE of o into vals (FIELD as the conflict's
 * proto field name; VALUE borrowed from argv). Returns an exit code after
 * printing why. */
static int read_sets(const kind_info *k, const Hearth__Conflict *cf, const resolve_opts *o,
                     resolve_value *vals)
{
	char names[600];

	for (size_t i = 0; i < o->n_sets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		char fname[64];
		const ProtobufCFieldDescriptor *fd;

		if (!eq || eq == o->sets[i] || (size_t)(eq - o->sets[i]) >= sizeof(fname)) {
			cli_error(_("resolve: --set \"%s\" is not FIELD=VALUE"), o->sets[i]);
			return EXIT_USAGE;
		}
		memcpy(fname, o->sets[i], (size_t)(eq - o->sets[i]));
		fname[eq - o->sets[i]] = '\0';
		fd = conflict_field(k, cf, fname);
		if (!fd) {
			list_conflict_fields(k, cf, names, sizeof(names));
			cli_error(_("resolve: --set %s: not one of this conflict's fields (%s)"), fname,
			          names[0] ? names : _("none: use --keep"));
			return EXIT_USAGE;
		}
		vals[i] = (resolve_value){ .field = fd->name, .text = eq + 1 };
	}
	return EXIT_OK;
}

/* admin resolve --keep when the replica lacks the conflict or its record:
 * settled on the server at once (server_resolve.h). Returns an exit code
 * after printing the outcome. */
static int resolve_on_server(cli *c, replica *r, const resolve_opts *o)
{
	session s;
	char err[1400], cid[UUID_TEXT_LEN + 1];
	int rc;

	if (session_open(&s, &c->prof) != 0) {
		cli_error(_("resolve: the conflict is not in this replica and the server cannot be reached (%s); "
		            "run 'hearth sync' first"), s.error);
		rc = session_exit_code(&s);
		session_close(&s);
		return rc;
	}
	rc = server_resolve_keep(&(server_resolve_args){ .s = &s, .r = r, .conflict = o->conflict,
	                                                 .side = strcmp(o->keep, "mine") == 0 ? RESOLVE_KEEP_MINE
	                                                                                      : RESOLVE_KEEP_THEIRS },
	                         cid, err, sizeof(err));
	session_close(&s);
	if (rc != 0) {
		cli_error(_("resolve: %s"), err);
		return rc == HEARTH_ENOTFOUND || rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	printf(_("resolved %s on the server (this replica did not hold it)\n"), cid);
	return EXIT_OK;
}

int cmd_resolve(cli *c, int argc, char **argv)
{
	return conflicts_resolve(c, argc, argv, 0);
}

int conflicts_resolve(cli *c, int argc, char **argv, int ask_server)
{
	resolve_opts o;
	resolve_value vals[SET_MAX];
	replica r;
	Hearth__Conflict *cf = NULL;
	const kind_info *k;
	const char *bad = NULL;
	char err[1400], cid[UUID_TEXT_LEN + 1];
	int rc, opened = 0;

	if ((rc = parse_resolve(argc, argv, &o)) != EXIT_OK)
		return rc == -1 ? EXIT_OK : rc;
	if ((rc = cli_open_replica(c, &r, "resolve")) != EXIT_OK)
		return rc;
	opened = 1;
	rc = member_lookup_conflict(&r, o.conflict, &cf, err, sizeof(err));
	if (rc == HEARTH_ENOTFOUND && ask_server && o.keep) {
		rc = resolve_on_server(c, &r, &o);
		goto fail;
	}
	if (rc != 0) {
		cli_error(_("resolve: %s"), err);
		rc = rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
		goto fail;
	}
	uuid_format(cf->id.data, cid);
	k = kind_find(cf->kind);
	if (!k || cf->record_id.len != UUID_LEN) {
		cli_error(_("resolve: conflict %s is about a kind of record this hearth does not know; "
		          "upgrade hearth"),
		          cid);
		rc = EXIT_FAIL;
		goto fail;
	}
	if (o.keep) {
		resolve_side side = strcmp(o.keep, "mine") == 0 ? RESOLVE_KEEP_MINE : RESOLVE_KEEP_THEIRS;
		rc = resolve_keep(&r, cf, side, err, sizeof(err));
		if (rc == HEARTH_ENOTFOUND && ask_server) {
			/* The conflict came with a pull but its record did not (a
			 * partial replica): the server has both. */
			rc = resolve_on_server(c, &r, &(resolve_opts){ .keep = o.keep, .conflict = cid });
			goto fail;
		}
	} else {
		/* The values are read as the record commands and the web app's
		 * 改为… read them (resolve_set, field_input): what `conflicts`
		 * prints can be typed back. */
		if ((rc = read_sets(k, cf, &o, vals)) != EXIT_OK)
			goto fail;
		rc = resolve_set(&r, cf, vals, o.n_sets, &bad, err, sizeof(err));
	}
	if (rc != 0) {
		if (bad)
			cli_error(_("resolve: --set %s: %s"), bad, err);
		else
			cli_error(_("resolve: %s"), err);
		rc = !o.keep && (rc == HEARTH_EINVAL || bad) ? EXIT_USAGE : EXIT_FAIL;
		goto fail;
	}
	printf(_("resolved %s; run 'hearth sync' to send it\n"), cid);
	rc = EXIT_OK;
fail:
	if (cf)
		hearth__conflict__free_unpacked(cf, NULL);
	if (opened)
		replica_close(&r);
	return rc;
}
