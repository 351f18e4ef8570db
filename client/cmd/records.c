/* records.c: `hearth KIND add|edit|delete|show|note` and the entry of
 * every record command, with flags, values and labels all taken from the
 * kind table (record_args.c parses, record_view.c prints and lists,
 * record_replica.c reaches the replica). */
#include "client/cmd/records.h"

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

#include "client/cmd/attach.h"
#include "client/cmd/import.h"
#include "client/cmd/record_args.h"
#include "client/cmd/record_replica.h"
#include "client/cmd/record_view.h"
#include "client/core/due_load.h"
#include "client/core/field_input.h"
#include "client/core/filters.h"
#include "client/core/identity.h"
#include "client/core/local_rules.h"
#include "client/core/member_log.h"
#include "client/core/read_only.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/replica_events.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "common/enums.h"
#include "common/attachment.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/record_defaults.h"
#include "common/tls.h"
#include "common/utf8.h"
#include "common/uuid.h"

/* ------------------------------------------------------- subcommands */

/* Whether the command line gave the body field named field. */
static int given(const record_cmd *m, const char *field)
{
	for (size_t i = 0; i < m->n_as; i++) {
		if (!strcmp(m->as[i].fl->fd->name, field))
			return 1;
	}
	return 0;
}

/* An edit that changes what a derived value follows from, without typing
 * the value itself, lets it follow again: a new income, group or rate
 * gives a new due (and, with a group, the table's rate); more members give
 * a new 参加人数 when the old count no longer covers them. */
static void release_derived(const record_cmd *m, ProtobufCMessage *body)
{
	if (m->k->kind == HEARTH__KIND__KIND_DUES) {
		Hearth__Dues *d = (Hearth__Dues *)body;
		int inputs = given(m, "base_income") || given(m, "dues_group") || given(m, "rate");

		if (!inputs || given(m, "due") || given(m, "due_reason"))
			return;
		if (d->dues_group && !given(m, "rate"))
			d->rate = 0;
		d->due = 0;
	} else if (m->k->kind == HEARTH__KIND__KIND_ACTIVITY) {
		Hearth__Activity *a = (Hearth__Activity *)body;

		if (given(m, "members") && !given(m, "participant_count") &&
		    (size_t)a->participant_count < a->n_members)
			a->participant_count = 0;
	}
}

/* Fills what was not typed (common/record_defaults.h): the defaults of a
 * new record, the dues group and income from the member, and the values
 * that follow from others. Returns an exit code after saying why. */
static int fill_untyped(record_cmd *m, ProtobufCMessage *body, record_defaults_mode mode)
{
	char err[256] = "";
	int32_t today;
	int rc;

	if (due_today(&today, err, sizeof(err)) != 0) {
		rargs_say(m, "%s", err);
		return EXIT_USAGE;
	}
	if (mode == RECORD_DEFAULTS_DERIVED)
		release_derived(m, body);
	if (m->k->kind == HEARTH__KIND__KIND_DUES &&
	    (rc = local_rules_fill_dues(&m->rep, (Hearth__Dues *)body)) != 0) {
		rargs_say(m, "cannot read the local replica: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	record_defaults_apply(m->k, body, &(record_defaults_opts){ .mode = mode, .today = today });
	return EXIT_OK;
}

/* A transfer is opened by the sending branch (server/db/refs.c), so a new
 * one without --from-branch is sent from the branch it is added in. */
static int default_from_branch(const record_cmd *m, ProtobufCMessage *body, const char *branch)
{
	Hearth__Transfer *t = (Hearth__Transfer *)body;
	char *copy;

	if (m->k->kind != HEARTH__KIND__KIND_TRANSFER || (t->from_branch && t->from_branch[0]))
		return EXIT_OK;
	if ((copy = strdup(branch)) == NULL) {
		rargs_say(m, _("out of memory"));
		return EXIT_FAIL;
	}
	if (t->from_branch && t->from_branch != protobuf_c_empty_string)
		free(t->from_branch);
	t->from_branch = copy;
	return EXIT_OK;
}

/* Stores an edit of a loaded record (edit, note): its rules, then the
 * rules that need other records against the replica's copy before the
 * change, then the op. Returns an exit code after saying why. */
static int do_add(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body = NULL;
	char branch[128], text[UUID_TEXT_LEN + 1], err[1200] = "";
	int rc;

	rc = rrep_open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rec = malloc(sizeof(*rec));
	body = kind_new_body(m->k);
	if (!rec || !body) {
		free(body);
		body = NULL;
		rc = EXIT_FAIL;
		rargs_say(m, _("out of memory"));
		goto fail;
	}
	hearth__record__init(rec);
	if (kind_set_body(rec, m->k, body) != 0) {
		free(body);
		rargs_say(m, _("the kind table names no Record field %u for %s"), m->k->record_field, m->k->name);
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = rargs_apply_all(m, body);
	if (rc != EXIT_OK)
		goto fail;
	rc = fill_untyped(m, body, RECORD_DEFAULTS_NEW);
	if (rc != EXIT_OK)
		goto fail;
	rc = rrep_pick_branch(m, branch, sizeof(branch));
	if (rc != EXIT_OK)
		goto fail;
	if ((rc = default_from_branch(m, body, branch)) != EXIT_OK)
		goto fail;
	rc = rargs_validate(m, body);
	if (rc != EXIT_OK)
		goto fail;
	rec->id.data = malloc(UUID_LEN);
	rec->branch_id = strdup(branch);
	if (!rec->id.data || !rec->branch_id) {
		rargs_say(m, _("out of memory"));
		rc = EXIT_FAIL;
		goto fail;
	}
	rec->id.len = UUID_LEN;
	if (uuid_v7(rec->id.data) != 0) {
		rargs_say(m, _("no randomness available for a new id"));
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = rrep_check_local_rules(m, rec->id.data, branch, body, NULL)) != EXIT_OK)
		goto fail;
	if (replica_edit(&m->rep, rec, 1, err, sizeof(err)) != 0) {
		rargs_say(m, "%s", err[0] ? err : _("the local replica refused the record"));
		rc = EXIT_FAIL;
		goto fail;
	}
	uuid_format(rec->id.data, text);
	printf("%s\n", text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* A record nobody may change from here (a transfer's summary, read_only.h)
 * is refused before a flag is applied, so the person reads why first;
 * the replica and the server refuse it too. */
static int refuse_read_only(const record_cmd *m, const Hearth__Record *rec)
{
	char why[600];

	if (read_only_check(rec, why, sizeof(why)) == READ_ONLY_NO)
		return EXIT_OK;
	rargs_say(m, "%s", why);
	return EXIT_FAIL;
}

static int do_edit(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];
	int rc;

	rc = rrep_open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = rrep_load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	if (rec->deleted) {
		rargs_say(m, _("%s is deleted; it cannot be edited"), text);
		rc = EXIT_USAGE;
		goto fail;
	}
	if ((rc = refuse_read_only(m, rec)) != EXIT_OK)
		goto fail;
	body = (ProtobufCMessage *)record_body(rec);
	if (!body) {
		body = kind_new_body(m->k);
		if (!body || kind_set_body(rec, m->k, body) != 0) {
			free(body);
			rargs_say(m, _("out of memory"));
			rc = EXIT_FAIL;
			goto fail;
		}
	}
	rc = rargs_apply_all(m, body);
	if (rc != EXIT_OK)
		goto fail;
	rc = fill_untyped(m, body, RECORD_DEFAULTS_DERIVED);
	if (rc != EXIT_OK)
		goto fail;
	rc = records_save_edit(m, id, rec, body);
	if (rc != EXIT_OK)
		goto fail;
	printf(_("updated %s\n"), text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* A member other records refer to is deleted only when the person
 * confirms it, after being told what refers to her (the server refuses an
 * unconfirmed delete too). The records keep her, marked as deleted. */
static int check_referenced(record_cmd *m, const uint8_t id[UUID_LEN], const Hearth__Record *rec)
{
	ref_summary sum;
	char list[600], text[UUID_TEXT_LEN + 1];
	const Hearth__Member *mb = rec->body_case == HEARTH__RECORD__BODY_MEMBER ? rec->member : NULL;
	int rc;

	if (m->k->kind != HEARTH__KIND__KIND_MEMBER || m->confirm_referenced)
		return EXIT_OK;
	if ((rc = replica_referencing(&m->rep, id, &sum)) != 0) {
		rargs_say(m, "cannot read the local replica: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	if (sum.total == 0)
		return EXIT_OK;
	uuid_format(id, text);
	ref_summary_format(&sum, list, sizeof(list));
	rargs_say(m,
	          P_("%s (%s) is referenced by %zu record (%s), which would show the member as "
	             "deleted. To delete anyway, run 'hearth member delete %s --confirm-referenced'",
	             "%s (%s) is referenced by %zu records (%s), which would show the member as "
	             "deleted. To delete anyway, run 'hearth member delete %s --confirm-referenced'",
	             sum.total),
	          mb && mb->name[0] ? mb->name : "?", text, sum.total, list, text);
	return EXIT_USAGE;
}

/* `restore ID`: a deleted record back as a new revision at the next sync. */
static int do_restore(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], err[1200] = "";
	int rc;

	if ((rc = rrep_open_replica(m)) != EXIT_OK)
		return rc;
	/* A purged tombstone leaves the replica at a re-pull from zero. */
	if (replica_resolve_id(&m->rep, m->id_text, id, err, sizeof(err)) == HEARTH_ENOTFOUND) {
		char vb[300];
		rargs_say(m, _("no record matches \"%s\"; a deleted record can be restored only until the "
		               "server purges its tombstone ('hearth %s list --deleted' shows what is left)"),
		          rargs_shown(m->id_text, vb, sizeof(vb)), m->k->name);
		return EXIT_USAGE;
	}
	if ((rc = rrep_load_record(m, id, &rec)) != EXIT_OK)
		return rc;
	uuid_format(id, text);
	rc = replica_restore(&m->rep, id, err, sizeof(err));
	if (rc != 0) {
		rargs_say(m, "%s", err[0] ? err : hearth_strerror(rc));
		rc = rc == HEARTH_EINVAL || rc == HEARTH_ENOTFOUND ? EXIT_USAGE : EXIT_FAIL;
	} else {
		printf(_("restored %s\n"), text);
	}
	hearth__record__free_unpacked(rec, NULL);
	return rc;
}

static int do_delete(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], err[1200] = "";
	int rc;

	rc = rrep_open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = rrep_load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	if (rec->deleted) {
		rargs_say(m, _("%s is already deleted"), text);
		rc = EXIT_USAGE;
		goto fail;
	}
	if ((rc = refuse_read_only(m, rec)) != EXIT_OK)
		goto fail;
	if ((rc = check_referenced(m, id, rec)) != EXIT_OK)
		goto fail;
	rc = replica_delete(&m->rep, id,
	                    &(replica_delete_opts){ .confirm_referenced = m->confirm_referenced }, err,
	                    sizeof(err));
	if (rc != 0) {
		rargs_say(m, "%s", err[0] ? err : _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
		goto fail;
	}
	printf(_("deleted %s\n"), text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* A record has unsent local changes when its local view differs from the
 * last server copy (or the server has never seen it). Comparing the packed
 * records covers body, tombstone and every other field alike. */
static int is_pending(record_cmd *m, const uint8_t id[UUID_LEN], const Hearth__Record *local)
{
	Hearth__Record *server = NULL;
	uint8_t *a = NULL, *b = NULL;
	size_t la, lb;
	int pending = 1;

	if (replica_get_server(&m->rep, id, &server) != 0)
		return 1;
	la = hearth__record__get_packed_size(local);
	lb = hearth__record__get_packed_size(server);
	if (la != lb)
		goto fail;
	a = malloc(la ? la : 1);
	b = malloc(lb ? lb : 1);
	if (!a || !b)
		goto fail;
	hearth__record__pack(local, a);
	hearth__record__pack(server, b);
	pending = memcmp(a, b, la) != 0;
fail:
	free(b);
	free(a);
	hearth__record__free_unpacked(server, NULL);
	return pending;
}

/* Prints "label  value", continuing multi-line values under the value
 * column so notes stay readable. The value goes through the one sanitiser
 * (line breaks and tabs kept; a CR before a line break dropped, as before),
 * so record text cannot drive the terminal. */
static void show_line(const char *label, size_t width, const char *value)
{
	char *v, *clean;
	size_t n = 0;

	if (!*value) {
		out_text(stdout, label, 0);
		fputc('\n', stdout);
		return;
	}
	v = malloc(strlen(value) + 1);
	for (const char *p = value; v && *p; p++)
		if (!(*p == '\r' && p[1] == '\n'))
			v[n++] = *p;
	if (v)
		v[n] = '\0';
	clean = v ? utf8_sanitize_dup(v, n, UTF8_SANITIZE_KEEP_LINES) : NULL;
	free(v);
	out_pad(stdout, label, width);
	fputs("  ", stdout);
	for (const char *p = clean ? clean : "?"; *p; p++) {
		fputc(*p, stdout);
		if (*p == '\n' && p[1])
			for (size_t i = 0; i < width + 2; i++)
				fputc(' ', stdout);
	}
	fputc('\n', stdout);
	free(clean);
}

static int do_show(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	event_list events = { NULL, 0, 0 };
	const ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], line[600];
	size_t width = strlen("updated");
	int rc, pending;

	rc = rrep_open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = rrep_load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	pending = is_pending(m, id, rec);
	body = record_body(rec);
	if (m->reveal && rrep_sensitive_kind(m->k) && body) {
		if (event_list_add(&events, "reveal", m->k, id, rec->branch_id, body, 0, "show --reveal") != 0) {
			rargs_say(m, _("out of memory"));
			rc = EXIT_FAIL;
			goto fail;
		}
		if ((rc = rrep_events_queue(m, &events)) != EXIT_OK)
			goto fail;
	}
	if (m->json) {
		out_json j;
		out_json_init(&j, stdout);
		rview_json_record(m, &j, rec, 1, pending);
		fputc('\n', stdout);
	} else {
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			const field_rule *r = kind_rule(m->k, fd->id);
			const char *label = r && r->label ? r->label : fd->name;
			/* A list of notes widens the labels only when it is shown. */
			if (fd->type == PROTOBUF_C_TYPE_MESSAGE &&
			    (!body || fd->label != PROTOBUF_C_LABEL_REPEATED || !*pbfield_count(body, fd)))
				continue;
			if (utf8_width(label) > width)
				width = utf8_width(label);
		}
		show_line("id", width, text);
		snprintf(line, sizeof(line), "%s (%s)", m->k->label, m->k->name);
		show_line("kind", width, line);
		show_line("branch", width, rec->branch_id ? rec->branch_id : "");
		snprintf(line, sizeof(line), "%" PRIu64, rec->rev);
		show_line("rev", width, line);
		if (rec->updated_at > 0) {
			time_t t = (time_t)(rec->updated_at / 1000);
			struct tm tm;
			char when[64];
			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			snprintf(line, sizeof(line), "%s by %s", when,
			         rec->updated_by_name && *rec->updated_by_name ? rec->updated_by_name : "?");
		} else {
			snprintf(line, sizeof(line), _("not yet on the server"));
		}
		show_line("updated", width, line);
		show_line("state", width,
		          pending ? _("pending (local changes not yet sent)") : "synced");
		if (rec->deleted)
			show_line("deleted", width, "yes");
		for (unsigned i = 0; body && i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			const field_rule *r = kind_rule(m->k, fd->id);
			rview_sbuf b = { 0 };
			if (!field_input_supported(fd, r))
				continue;
			rview_people_value(m, body, fd, &b);
			show_line(r && r->label ? r->label : fd->name, width, rview_sb_str(&b));
			free(b.p);
		}
		if (body && rargs_notes_field(m->k)) {
			const ProtobufCFieldDescriptor *nf = rargs_notes_field(m->k);
			const field_rule *r = kind_rule(m->k, nf->id);
			size_t n = *pbfield_count(body, nf);
			Hearth__ProgressNote *const *notes =
				*(Hearth__ProgressNote *const *const *)pbfield_ptr(body, nf);

			/* One line per note, the label on the first only. */
			for (size_t i = 0; i < n; i++) {
				snprintf(line, sizeof(line), "%s  %s%s%s%s%s%s", notes[i]->date,
				         notes[i]->channel[0] ? notes[i]->channel : "", notes[i]->channel[0] ? "  " : "",
				         notes[i]->note, notes[i]->by[0] ? " (" : "", notes[i]->by,
				         notes[i]->by[0] ? ")" : "");
				show_line(i == 0 ? (r && r->label ? r->label : nf->name) : "", width, line);
			}
		}
		if (body && rec->body_case == HEARTH__RECORD__BODY_MEMBER) {
			const Hearth__Member *mem = rec->member;
			for (size_t i = 0; i < mem->n_talk_needs; i++) {
				const Hearth__TalkNeed *tn = mem->talk_needs[i];
				snprintf(line, sizeof(line), "%s  %s%s%s", tn->date,
				         enum_label(&hearth__talk_trigger__descriptor, tn->reason), tn->note[0] ? "  " : "",
				         tn->note);
				show_line(i == 0 ? "需谈话事项" : "", width, line);
			}
		}
		if (record_transfer_summary(m->k, body)) {
			const Hearth__TransferSummary *sum = record_transfer_summary(m->k, body);
			char tid[UUID_TEXT_LEN + 1] = "?";

			if (sum->transfer.len == UUID_LEN)
				uuid_format(sum->transfer.data, tid);
			snprintf(line, sizeof(line),
			         _("read-only: this branch keeps it since transfer %s was accepted and the "
			           "member left"),
			         tid);
			{
				const ProtobufCFieldDescriptor *sf =
					protobuf_c_message_descriptor_get_field_by_name(m->k->desc, "summary");
				const field_rule *sr = sf ? kind_rule(m->k, sf->id) : NULL;
				show_line(sr && sr->label ? sr->label : "summary", width, line);
			}
		}
		if (body) {
			size_t n;
			Hearth__Attachment **atts = attachment_list(body, &n);

			/* One line per attachment; 'attachments ID' shows the rest. */
			for (size_t i = 0; i < n; i++) {
				char size[32];
				out_size(atts[i]->size, size, sizeof(size));
				snprintf(line, sizeof(line), "%s  %s %s", atts[i]->name,
				         attachment_type_word(atts[i]->type), size);
				show_line(i == 0 ? kind_rule(m->k, ATTACHMENT_FIELD)->label : "", width, line);
			}
		}
	}
	if (events.n)
		rargs_say(m, _("revealed sensitive fields of %s (recorded in the audit log at the next sync)"), text);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	event_list_free(&events);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* `note ID --date D --note TEXT [--by NAME]`: appends a progress note
 * and records the whole list as one local edit, validated like any edit
 * (the date exists and is not before the start date). */
static int do_note(record_cmd *m)
{
	const ProtobufCFieldDescriptor *nf = rargs_notes_field(m->k);
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];
	int rc;

	if (!nf) {
		rargs_say(m, _("%s records have no progress notes"), m->k->name);
		return EXIT_USAGE;
	}
	rc = rrep_open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = rrep_load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	body = (ProtobufCMessage *)record_body(rec);
	if (rec->deleted || !body) {
		rargs_say(m, _("%s is deleted; it cannot take notes"), text);
		rc = EXIT_USAGE;
		goto fail;
	}
	{
		char why[300];
		int r = member_log_add_note(m->k, body,
		                            &(member_log_line){ .date = m->note_date, .note = m->note_text,
		                                                .channel = m->note_channel, .by = m->note_by,
		                                                .record = text },
		                            why, sizeof(why));
		if (r == HEARTH_EINVAL) {
			rargs_say(m, "%s", why);
			rc = EXIT_USAGE;
			goto fail;
		}
		if (r != 0) {
			rargs_say(m, _("out of memory"));
			rc = EXIT_FAIL;
			goto fail;
		}
	}
	rc = records_save_edit(m, id, rec, body);
	if (rc != EXIT_OK)
		goto fail;
	printf(_("noted %s\n"), text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* `member need ID --reason TRIGGER --date D [--note TEXT] [--by NAME]`:
 * appends a talk owed (需谈话事项) to the member and records it as one local
 * edit of the list, validated like any edit. */
static int do_need(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	Hearth__Member *mem;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], vb[300], why[600];
	int reason, rc;

	if (m->k->kind != HEARTH__KIND__KIND_MEMBER) {
		rargs_say(m, _("a talk owed (需谈话事项) is recorded on a member: 'hearth member need MEMBER ...'"));
		return EXIT_USAGE;
	}
	if (member_log_reason(m->need_reason, rargs_shown(m->need_reason, vb, sizeof(vb)), &reason, why,
	                      sizeof(why)) != 0) {
		rargs_say(m, "%s", why);
		return EXIT_USAGE;
	}
	if ((rc = rrep_open_replica(m)) != EXIT_OK || (rc = rrep_load_record(m, id, &rec)) != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	if (rec->deleted || rec->body_case != HEARTH__RECORD__BODY_MEMBER) {
		rargs_say(m, _("%s is deleted; it cannot take a talk owed"), text);
		rc = EXIT_USAGE;
		goto fail;
	}
	mem = rec->member;
	{
		int r = member_log_add_need(mem,
		                            &(member_log_line){ .date = m->note_date, .note = m->note_text,
		                                                .by = m->note_by, .reason = m->need_reason,
		                                                .record = text },
		                            why, sizeof(why));
		if (r == HEARTH_EINVAL) {
			rargs_say(m, "%s", why);
			rc = EXIT_USAGE;
			goto fail;
		}
		if (r != 0) {
			rargs_say(m, _("out of memory"));
			rc = EXIT_FAIL;
			goto fail;
		}
	}
	if ((rc = records_save_edit(m, id, rec, (ProtobufCMessage *)mem)) != EXIT_OK)
		goto fail;
	printf(_("recorded a talk owed (%s, from %s) for %s\n"),
	       enum_label(&hearth__talk_trigger__descriptor, reason), m->note_date, mem->name);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* ------------------------------------------------------------ entry */

int cmd_record(cli *c, int argc, char **argv)
{
	record_cmd m;
	int rc = EXIT_USAGE;
	int sub = -1;

	memset(&m, 0, sizeof(m));
	m.c = c;
	m.k = kind_by_name(argv[0]);
	if (!m.k) {
		cli_error(_("unknown record kind \"%s\""), argv[0]);
		return EXIT_USAGE;
	}
	if (rargs_build_flags(&m) != 0) {
		cli_error(_("%s: out of memory"), argv[0]);
		return EXIT_FAIL;
	}
	if (argc < 2) {
		rargs_print_help(&m, -1, stderr);
		goto done;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		rargs_print_help(&m, -1, stdout);
		rc = EXIT_OK;
		goto done;
	}
	if (!strcmp(argv[1], "import")) {   /* client/import.c */
		rc = import_run(c, m.k, argc - 1, argv + 1);
		goto done;
	}
	for (int i = 0; i < (int)RARGS_N_SUBS; i++) {
		if (!strcmp(argv[1], rargs_sub_names[i]))
			sub = i;
	}
	if (sub < 0) {
		cli_error(_("%s: unknown subcommand \"%s\"; try 'hearth %s --help'"), argv[0], argv[1],
		          argv[0]);
		goto done;
	}
	m.sub = (enum record_sub)sub;
	if (m.sub == SUB_LIST) {   /* filters are taken out first: client/filters.c */
		int n = argc - 1;
		if (filter_take(&m.filt, m.k, &n, argv + 1) != 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		argc = n + 1;
	}
	rc = rargs_parse_args(&m, argc - 1, argv + 1);
	if (rc == -1) {
		rc = EXIT_OK;
		goto done;
	}
	if (rc != EXIT_OK)
		goto done;
	switch (m.sub) {
	case SUB_ADD: rc = do_add(&m); break;
	case SUB_EDIT: rc = do_edit(&m); break;
	case SUB_DELETE: rc = do_delete(&m); break;
	case SUB_SHOW: rc = do_show(&m); break;
	case SUB_LIST: rc = rview_do_list(&m); break;
	case SUB_NOTE: rc = do_note(&m); break;
	case SUB_RESTORE: rc = do_restore(&m); break;
	case SUB_NEED: rc = do_need(&m); break;
	case SUB_ATTACH: rc = attach_record(&m); break;
	case SUB_ATTACHMENTS: rc = attach_list(&m); break;
	case SUB_DETACH: rc = attach_detach(&m); break;
	}
done:
	if (m.rep_open)
		replica_close(&m.rep);
	member_namer_free(&m.namer);
	free(m.as);
	free(m.flags);
	return rc;
}

