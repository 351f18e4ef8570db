/* attach.c: the attachment commands (issue 18): attach, list and detach on
 * a record, and `hearth attachment get`. The metadata is an ordinary edit
 * of the record (records_save_edit); the content lives in the replica's
 * content store (client/core/attachments.c). */
#include "client/cmd/attach.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/record_replica.h"
#include "client/cmd/witness.h"
#include "client/core/attachment_edit.h"
#include "client/core/attachment_transfer.h"
#include "client/core/attachments.h"
#include "client/core/identity.h"
#include "client/ui/output.h"
#include "common/attachment.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The record's local view, with a body that can take attachments. */
static int load_live(record_cmd *m, uint8_t id[UUID_LEN], Hearth__Record **rec, ProtobufCMessage **body)
{
	char text[UUID_TEXT_LEN + 1];
	int rc = rrep_open_replica(m);

	if (rc == EXIT_OK)
		rc = rrep_load_record(m, id, rec);
	if (rc != EXIT_OK)
		return rc;
	*body = (ProtobufCMessage *)record_body(*rec);
	if ((*rec)->deleted || !*body) {
		uuid_format(id, text);
		rargs_say(m, _("%s is deleted; its attachments cannot change"), text);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int attach_record(record_cmd *m)
{
	const char *name = base_name(m->file_arg);
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	attachment_file f;
	tls_identity me;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], err[1400], size[32];
	int rc;

	if ((rc = load_live(m, id, &rec, &body)) != EXIT_OK)
		goto done;
	uuid_format(id, text);
	if (attachment_edit_check(body, name, text, err, sizeof(err)) != 0) {
		rargs_say(m, "%s", err);
		rc = EXIT_USAGE;
		goto done;
	}
	rc = attachments_keep(&m->rep, m->file_arg, name, ATTACHMENTS_SIZE_MAX_DEFAULT, &f, err, sizeof(err));
	if (rc != 0) {
		rargs_say(m, "%s", err);
		rc = rc == HEARTH_EIO ? EXIT_FAIL : EXIT_USAGE;
		goto done;
	}
	memset(&me, 0, sizeof(me));
	if (identity_read(m->c->prof.cert, &me, err, sizeof(err)) != IDENTITY_OK)
		me.name[0] = 0;
	if (attachment_edit_add(body, &(attachment_add){ .name = name, .file = &f, .added_by = me.name,
	                                                 .note = m->note_text }) != 0) {
		rargs_say(m, _("out of memory"));
		rc = EXIT_FAIL;
		goto done;
	}
	if ((rc = records_save_edit(m, id, rec, body)) != EXIT_OK)
		goto done;
	out_size(f.size, size, sizeof(size));
	printf(_("attached %s to %s (%s, %s)\n"), name, text, attachment_type_word(f.type), size);
	rc = EXIT_OK;
done:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* What this replica can say of an attachment's content: here; on the
 * server whole (as the last sync or download found), to fetch with
 * 'hearth attachment get'; or not yet there whole (上传中). */
static const char *content_state(replica *r, const Hearth__Attachment *a)
{
	switch (attachment_edit_where(r, a)) {
	case ATTACHMENT_HERE: return _("on this machine");
	case ATTACHMENT_ON_SERVER: return _("on the server");
	default: return _("uploading");
	}
}

int attach_list(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	Hearth__Attachment **list;
	out_table *t = NULL;
	uint8_t id[UUID_LEN];
	size_t n;
	int rc;

	if ((rc = rrep_open_replica(m)) != EXIT_OK || (rc = rrep_load_record(m, id, &rec)) != EXIT_OK)
		goto done;
	body = (ProtobufCMessage *)record_body(rec);
	list = attachment_list(body, &n);
	if (m->json) {
		out_json j;
		out_json_init(&j, stdout);
		out_json_begin_array(&j);
		for (size_t i = 0; i < n; i++) {
			char hex[ATTACHMENT_HEX_LEN + 1] = "";
			if (list[i]->sha256.len == 32)
				attachment_hex(list[i]->sha256.data, hex);
			out_json_begin_object(&j);
			out_json_key(&j, "name");
			out_json_string(&j, list[i]->name);
			out_json_key(&j, "type");
			out_json_string(&j, list[i]->type);
			out_json_key(&j, "size");
			out_json_uint(&j, list[i]->size);
			out_json_key(&j, "sha256");
			out_json_string(&j, hex);
			out_json_key(&j, "added_by");
			out_json_string(&j, list[i]->added_by);
			out_json_key(&j, "added_at");
			out_json_int(&j, list[i]->added_at);
			out_json_key(&j, "note");
			out_json_string(&j, list[i]->note);
			out_json_key(&j, "local");
			out_json_bool(&j, list[i]->sha256.len == 32 &&
			                      attachments_have(&m->rep, list[i]->sha256.data, list[i]->size));
			out_json_key(&j, "on_server");
			out_json_bool(&j, list[i]->sha256.len == 32 && attachments_uploaded(&m->rep, list[i]->sha256.data));
			out_json_end_object(&j);
		}
		out_json_end_array(&j);
		fputc('\n', stdout);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
		goto done;
	}
	if (n == 0) {
		printf("%s\n", _("no attachments"));
		rc = EXIT_OK;
		goto done;
	}
	if (!(t = out_table_new()) || out_table_column(t, _("name"), 40, 0) || out_table_column(t, _("type"), 0, 0) ||
	    out_table_column(t, _("size"), 0, 1) || out_table_column(t, _("added by"), 20, 0) ||
	    out_table_column(t, _("added at"), 0, 0) || out_table_column(t, "sha256", 0, 0) ||
	    out_table_column(t, _("content"), 0, 0) || out_table_column(t, _("note"), 40, 0)) {
		rargs_say(m, _("out of memory"));
		rc = EXIT_FAIL;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const Hearth__Attachment *a = list[i];
		char hex[ATTACHMENT_HEX_LEN + 1] = "", size[32], when[32];
		if (a->sha256.len == 32)
			attachment_hex(a->sha256.data, hex);
		hex[12] = 0;
		out_size(a->size, size, sizeof(size));
		out_local_time(a->added_at, "-", when, sizeof(when));
		if (out_table_row(t) || out_table_cell(t, a->name) || out_table_cell(t, attachment_type_word(a->type)) ||
		    out_table_cell(t, size) || out_table_cell(t, a->added_by) || out_table_cell(t, when) ||
		    out_table_cell(t, hex) || out_table_cell(t, content_state(&m->rep, a)) ||
		    out_table_cell(t, a->note)) {
			rargs_say(m, _("out of memory"));
			rc = EXIT_FAIL;
			goto done;
		}
	}
	rc = out_table_print(t, stdout) == 0 && fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
done:
	out_table_free(t);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

int attach_detach(record_cmd *m)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];
	int rc;

	if ((rc = load_live(m, id, &rec, &body)) != EXIT_OK)
		goto done;
	uuid_format(id, text);
	if (attachment_edit_remove(body, m->file_arg) != 0) {
		rargs_say(m, _("%s has no attachment named %s; 'hearth %s attachments %s' lists them"), text,
		          m->file_arg, m->k->name, m->id_text);
		rc = EXIT_USAGE;
		goto done;
	}
	if ((rc = records_save_edit(m, id, rec, body)) != EXIT_OK)
		goto done;
	printf(_("detached %s from %s\n"), m->file_arg, text);
	rc = EXIT_OK;
done:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* ------------------------------------------------- attachment get */

static void get_usage(FILE *f)
{
	fputs(_("usage: hearth attachment get HASH|NAME --to FILE\n\n"
	        "Writes an attachment's content to FILE. HASH is 8 to 64 hex digits of its\n"
	        "SHA-256 ('hearth KIND attachments ID' shows them), NAME its file name when\n"
	        "one content has it. Content that is not on this machine is downloaded from\n"
	        "the server first (a cut download resumes at its last whole chunk); content\n"
	        "the server does not hold whole yet is answered \"not yet uploaded\" with how\n"
	        "far it got (exit 1). The content is checked against its hash before FILE is\n"
	        "written.\n"),
	      f);
}

static void fetch_progress(void *arg, uint64_t done, uint64_t total)
{
	(void)arg;
	out_progress(_("downloading"), done, total);
}

int attach_fetch(cli *c, replica *r, const attachment_hit *hit, const transfer_hooks *h, transfer_state *st,
                 char *err, size_t errlen)
{
	session s;
	int rc;

	err[0] = 0;
	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	if (witness_connect(c, &s, r, "attachment get") != EXIT_OK) {
		/* A witness refusal leaves no session error: it was printed on
		 * the terminal that runs the command. */
		snprintf(err, errlen, "%s",
		         s.error[0] ? s.error
		                    : _("the server's audit log does not match what this replica saw; nothing was "
		                        "downloaded (the terminal running 'hearth ui' says why)"));
		session_close(&s);
		return HEARTH_ECLOSED;
	}
	rc = transfer_fetch(r, &s, hit, h, st, err, errlen);
	if ((rc == HEARTH_ECLOSED || (rc == HEARTH_EPROTO && !err[0])) && s.error[0])
		snprintf(err, errlen, "%s", s.error);
	session_close(&s);
	return rc;
}

/* Downloads hit's content into the replica's store. Returns an exit code
 * after saying why it failed. */
static int fetch(cli *c, replica *r, const attachment_hit *hit)
{
	transfer_hooks h = { .progress = fetch_progress };
	transfer_state st;
	session s;
	char err[1400];
	int rc;

	memset(&s, 0, sizeof(s));
	s.fd = -1;
	if ((rc = witness_connect(c, &s, r, "attachment get")) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	rc = transfer_fetch(r, &s, hit, &h, &st, err, sizeof(err));
	out_progress_end();
	if (rc == HEARTH_EAGAIN) {
		cli_error(_("attachment get: %s is not yet uploaded: the server holds %u of its %u chunks (%u%%); "
		            "try again after the replica that added it has synced"),
		          hit->name, st.have, st.chunks, st.chunks ? (unsigned)(100ull * st.have / st.chunks) : 0);
		rc = EXIT_FAIL;
	} else if (rc == HEARTH_ENOTFOUND) {
		cli_error(_("attachment get: the server has no content of %s for this certificate: %s"), hit->name, err);
		rc = EXIT_FAIL;
	} else if (rc == HEARTH_ECLOSED || (rc == HEARTH_EPROTO && !err[0])) {
		rc = cli_lost("attachment get", &s);
	} else if (rc != 0) {
		cli_error("attachment get: %s", err[0] ? err : _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
	} else {
		rc = EXIT_OK;
	}
	session_close(&s);
	return rc;
}

int cmd_attachment(cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "to", required_argument, NULL, 't' },
		                              { "help", no_argument, NULL, 'h' },
		                              { NULL, 0, NULL, 0 } };
	const char *to = NULL, *what = NULL;
	attachment_hit hit;
	replica r;
	char err[1400];
	int o, rc;

	if (argc < 2 || strcmp(argv[1], "get") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			get_usage(stdout);
			return EXIT_OK;
		}
		get_usage(stderr);
		return EXIT_USAGE;
	}
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc - 1, argv + 1, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 't': to = optarg; break;
		case 'h': get_usage(stdout); return EXIT_OK;
		case ':':
			cli_error(_("attachment get: %s needs a value"), argv[optind]);
			return EXIT_USAGE;
		default:
			cli_error(_("attachment get: unknown option \"%s\"; see 'hearth attachment --help'"),
			          argv[optind]);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc)
		what = argv[optind + 1];
	if (!what || !to || optind + 2 < argc) {
		cli_error(_("attachment get: give one HASH or NAME and --to FILE"));
		return EXIT_USAGE;
	}
	if ((rc = cli_open_replica(c, &r, "attachment get")) != EXIT_OK) {
		replica_close(&r);
		return rc;
	}
	rc = attachments_find(&r, what, &hit, err, sizeof(err));
	if (rc != 0) {
		cli_error("attachment get: %s", err[0] ? err : _(hearth_strerror(rc)));
		rc = rc == HEARTH_ENOTFOUND || rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
		goto done;
	}
	if (!attachments_have(&r, hit.sha256, hit.size) && (rc = fetch(c, &r, &hit)) != EXIT_OK)
		goto done;
	rc = attachments_copy_out(&r, hit.sha256, to, err, sizeof(err));
	if (rc == HEARTH_ENOTFOUND) {
		cli_error(_("attachment get: the content of %s has not reached this machine"), hit.name);
		rc = EXIT_FAIL;
	} else if (rc == HEARTH_ECORRUPT) {
		cli_error(_("attachment get: the stored copy of %s does not match its SHA-256; nothing was written"),
		          hit.name);
		rc = EXIT_FAIL;
	} else if (rc != 0) {
		cli_error("attachment get: %s", err);
		rc = EXIT_FAIL;
	} else {
		char size[32];
		out_size(hit.size, size, sizeof(size));
		printf(_("wrote %s to %s (%s, SHA-256 checked)\n"), hit.name, to, size);
		rc = EXIT_OK;
	}
done:
	replica_close(&r);
	return rc;
}
