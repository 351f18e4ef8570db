/* web_attach.c: a record page's attachments in `hearth ui`: the list, the
 * download and the thumbnail, 上传附件 and 删除附件, each through the client
 * core of `hearth KIND attach|attachments|detach` and `attachment get`. */
#include "client/ui/web_attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/attachment_edit.h"
#include "client/core/attachments.h"
#include "client/core/identity.h"
#include "client/core/local_rules.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/ui/output.h"
#include "client/ui/web_api_lend.h"
#include "common/attachment.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

/* The most a download is read into memory to be served; the CLI's
 * `attachment get` writes larger files. */
#define WEB_ATTACH_SERVE_MAX (64ull * 1024 * 1024)

/* A thumbnail is an image shown in the page, nothing else: no script, no
 * style, no frame. A download is saved, and sandboxed should a browser
 * show it anyway. */
static const char thumb_csp[] = "default-src 'none'; img-src 'self'; frame-ancestors 'self'; "
                                "base-uri 'none'; form-action 'none'";
static const char download_csp[] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                                   "form-action 'none'; sandbox";

struct web_attach {
	web_fetch_fn fetch;
	void *fetch_arg;
	char me[256];               /* the certificate's CN: who adds */
};

int web_attach_new(web_attach **out, const web_api_options *o)
{
	web_attach *w = calloc(1, sizeof(*w));
	tls_identity id;
	char err[300];

	*out = NULL;
	if (!w)
		return HEARTH_ENOMEM;
	w->fetch = o->fetch;
	w->fetch_arg = o->fetch_arg;
	memset(&id, 0, sizeof(id));
	if (identity_read(o->prof->cert, &id, err, sizeof(err)) == IDENTITY_OK)
		snprintf(w->me, sizeof(w->me), "%s", id.name);
	*out = w;
	return 0;
}

void web_attach_free(web_attach *w)
{
	free(w);
}

int web_attach_is_post_only(const char *path)
{
	return !strcmp(path, "/api/attach") || !strcmp(path, "/api/detach");
}

int web_attach_is_upload(const char *path)
{
	return !strcmp(path, "/api/attach");
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, web_jstr(s));
}

static int is_image(const char *type)
{
	return type && (!strcmp(type, "image/jpeg") || !strcmp(type, "image/png"));
}

/* ---------------------------------------------------------- the words */

/* The words of the attachments section, by key, from the catalog. */
static const struct {
	const char *key, *text;
} words[] = {
	{ "attach_title", N_("Attachments") },
	{ "attach_help", N_("Photos, scans and documents kept with this record (JPEG, PNG, PDF, Word, Excel, "
	                    "PowerPoint; at most 20 MB each; the type is told by the content). An attachment "
	                    "added here goes to the server at the next sync.") },
	{ "attach_none", N_("No attachments.") },
	{ "attach_name", N_("Name") },
	{ "attach_type", N_("Type") },
	{ "attach_size", N_("Size") },
	{ "attach_by", N_("Added by") },
	{ "attach_at", N_("Added at") },
	{ "attach_note", N_("Note") },
	{ "attach_state", N_("Content") },
	{ "attach_download", N_("Download") },
	{ "attach_detach", N_("Detach") },
	{ "attach_confirm_detach", N_("Detach %1 from this record?") },
	{ "attach_upload", N_("Upload attachment") },
	{ "attach_file", N_("File") },
	{ "attach_no_file", N_("Choose a file first.") },
	{ "attach_stored", N_("Attached; it goes to the server at the next sync.") },
	{ "attach_fetching", N_("Downloading from the server…") },
};

static void do_text(web_api_answer *an)
{
	json_t *j = json_object();

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(words); i++)
		set_str(j, words[i].key, _(words[i].text));
	web_answer(an, 200, j);
}

/* ---------------------------------------------------------------- list */

static json_t *one_json(replica *r, const Hearth__Attachment *a)
{
	json_t *o = json_object();
	char hex[ATTACHMENT_HEX_LEN + 1] = "", size[32], when[32];
	attachment_where where = attachment_edit_where(r, a);
	int local = where == ATTACHMENT_HERE;
	int on_server = a->sha256.len == 32 && attachments_uploaded(r, a->sha256.data);

	if (a->sha256.len == 32)
		attachment_hex(a->sha256.data, hex);
	out_size(a->size, size, sizeof(size));
	out_local_time(a->added_at, "-", when, sizeof(when));
	set_str(o, "name", a->name);
	set_str(o, "type", a->type);
	set_str(o, "type_word", attachment_type_word(a->type));
	json_object_set_new(o, "size", json_integer((json_int_t)a->size));
	set_str(o, "size_text", size);
	set_str(o, "sha256", hex);
	set_str(o, "added_by", a->added_by);
	set_str(o, "added_at", when);
	set_str(o, "note", a->note);
	json_object_set_new(o, "local", json_boolean(local));
	json_object_set_new(o, "on_server", json_boolean(on_server));
	/* 上传中 while the server does not hold the content whole, whoever
	 * added it; 未下载 while this replica lacks it. */
	set_str(o, "uploading", on_server ? "" : _("uploading"));
	set_str(o, "missing", local ? "" : _("not downloaded"));
	json_object_set_new(o, "thumb", json_boolean(local && is_image(a->type)));
	return o;
}

static void do_list(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	Hearth__Record *rec;
	const kind_info *k;
	Hearth__Attachment **list;
	json_t *arr;
	size_t n;
	replica r;

	if (web_open_replica(a, &r, an) != 0)
		return;
	if (web_load_record(&r, rq->arg(rq->arg_ctx, "id"), &rec, &k, an) == 0) {
		arr = json_array();
		list = attachment_list(rec->deleted ? NULL : record_body(rec), &n);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, one_json(&r, list[i]));
		web_answer(an, 200, arr);
		hearth__record__free_unpacked(rec, NULL);
	}
	replica_close(&r);
}

/* ------------------------------------------------------------ download */

/* Brings hit's content to this replica through the server, or says in
 * the answer why it cannot. Returns 0 when the content is here. */
static int fetch_missing(web_attach *w, replica *r, const attachment_hit *hit, web_api_answer *an)
{
	transfer_state st = { 0 };
	char err[1400] = "", msg[1800];
	int rc;

	if (!w->fetch) {
		snprintf(msg, sizeof(msg), _("%s is not on this machine, and this app has no connection to the "
		                             "server to download it"), hit->name);
		web_refuse(an, 503, NULL, NULL, msg);
		return -1;
	}
	rc = w->fetch(w->fetch_arg, r, hit, &st, err, sizeof(err));
	if (rc == 0 && attachments_have(r, hit->sha256, hit->size))
		return 0;
	if (rc == HEARTH_EAGAIN) {
		snprintf(msg, sizeof(msg),
		         _("%s is not yet uploaded: the server holds %u of its %u chunks (%u%%); try again after "
		           "the replica that added it has synced"),
		         hit->name, st.have, st.chunks, st.chunks ? (unsigned)(100ull * st.have / st.chunks) : 0);
		web_refuse(an, 409, NULL, NULL, msg);
	} else if (rc == HEARTH_ENOTFOUND) {
		snprintf(msg, sizeof(msg), _("the server has no content of %s for this certificate: %s"), hit->name,
		         err);
		web_refuse(an, 404, NULL, NULL, msg);
	} else if (rc == HEARTH_ECLOSED) {
		snprintf(msg, sizeof(msg), _("cannot reach the server (%s); %s is not on this machine yet, "
		                             "download it when the network is back"),
		         err[0] ? err : _(hearth_strerror(rc)), hit->name);
		web_refuse(an, 502, NULL, NULL, msg);
	} else {
		snprintf(msg, sizeof(msg), _("cannot download %s: %s"), hit->name,
		         err[0] ? err : _(hearth_strerror(rc ? rc : HEARTH_ENOTFOUND)));
		web_refuse(an, 502, NULL, NULL, msg);
	}
	return -1;
}

/* name as the browser saves it, cut at a character's start when it is
 * longer than out holds (the extension kept). */
static void file_name(const char *name, char *out, size_t cap)
{
	size_t n = strlen(name), keep;
	const char *dot = strrchr(name, '.');
	size_t ext = dot && strlen(dot) < 16 ? strlen(dot) : 0;

	if (n < cap) {
		memcpy(out, name, n + 1);
		return;
	}
	keep = cap - 1 - ext;
	while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
		keep--;
	memcpy(out, name, keep);
	memcpy(out + keep, name + n - ext, ext);
	out[keep + ext] = 0;
}

static void do_get(web_attach *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *sha = rq->arg(rq->arg_ctx, "sha"), *view = rq->arg(rq->arg_ctx, "view");
	int thumb = view && !strcmp(view, "thumb");
	const Hearth__Attachment *at;
	Hearth__Record *rec = NULL;
	const kind_info *k;
	attachment_hit hit;
	uint8_t hash[32];
	const char *type;
	char msg[600];
	replica r;
	int rc;

	if (attachment_parse_hex(sha, hash) != 0) {
		web_refuse(an, 400, NULL, "sha", _("\"sha\" is not a SHA-256 (64 hex digits)"));
		return;
	}
	if (web_open_replica(a, &r, an) != 0)
		return;
	if (web_load_record(&r, rq->arg(rq->arg_ctx, "id"), &rec, &k, an) != 0)
		goto done;
	/* Only what a record of this replica holds is served: a guessed hash
	 * is told nothing, not even whether the store has it. */
	if (!(at = attachment_edit_on_record(rec, hash))) {
		web_refuse(an, 404, NULL, NULL, _("this record has no attachment with that SHA-256"));
		goto done;
	}
	attachment_edit_hit(rec, at, &hit);
	if (!attachments_have(&r, hash, at->size)) {
		if (thumb) {
			snprintf(msg, sizeof(msg), _("%s is not on this machine yet; download it first"), at->name);
			web_refuse(an, 404, NULL, NULL, msg);
			goto done;
		}
		if (fetch_missing(w, &r, &hit, an) != 0)
			goto done;
	}
	rc = attachments_read(&r, hash, hit.name, WEB_ATTACH_SERVE_MAX, &an->data, &an->data_len, &type);
	if (rc != 0) {
		an->data = NULL;
		if (rc == HEARTH_ECORRUPT)
			snprintf(msg, sizeof(msg), _("the stored copy of %s does not match its SHA-256; it is not served"),
			         hit.name);
		else if (rc == HEARTH_ETOOBIG)
			snprintf(msg, sizeof(msg), _("%s is larger than %llu MB; save it with 'hearth attachment get'"),
			         hit.name, (unsigned long long)(WEB_ATTACH_SERVE_MAX / (1024 * 1024)));
		else
			snprintf(msg, sizeof(msg), _("cannot read %s from the local replica: %s"), hit.name,
			         _(hearth_strerror(rc)));
		web_refuse(an, rc == HEARTH_ENOTFOUND ? 404 : 500, NULL, NULL, msg);
		goto done;
	}
	/* The type is what the bytes are, never what the name or the
	 * metadata claims: only a JPEG or PNG is ever shown as an image. */
	if (thumb && !is_image(type)) {
		free(an->data);
		an->data = NULL;
		snprintf(msg, sizeof(msg), _("%s is not a JPEG or PNG image; it has no thumbnail"), hit.name);
		web_refuse(an, 415, NULL, NULL, msg);
		goto done;
	}
	an->status = 200;
	an->json = strdup("");
	an->data_type = type ? type : "application/octet-stream";
	an->inline_view = thumb;
	an->csp = thumb ? thumb_csp : download_csp;
	file_name(hit.name, an->filename, sizeof(an->filename));
done:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	replica_close(&r);
}

/* ----------------------------------------------------- attach / detach */

/* Stores body as the record's new local copy, after the checks `hearth
 * KIND attach|detach` runs (records_save_edit): the kind's validation, the
 * rules that need other records, then replica_edit. */
static void save(replica *r, const kind_info *k, Hearth__Record *rec, const ProtobufCMessage *old_body,
                 const char *field, web_api_answer *an)
{
	const ProtobufCMessage *body = record_body(rec);
	record_error rerr;
	char said[700], err[1200] = "";
	int rc;

	memset(&rerr, 0, sizeof(rerr));
	if (record_validate_message(k, body, &rerr) != 0) {
		web_refuse(an, 422, NULL, field, reasons_localize(k, rerr.message, said, sizeof(said)));
		return;
	}
	rc = local_rules_check(r, k, rec->id.data, rec->branch_id ? rec->branch_id : "", body, old_body, &rerr);
	if (rc == HEARTH_EINVAL) {
		web_refuse(an, 422, NULL, field, reasons_localize(k, rerr.message, said, sizeof(said)));
		return;
	}
	if (rc != 0) {
		snprintf(err, sizeof(err), _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		web_refuse(an, 500, NULL, NULL, err);
		return;
	}
	rc = replica_edit(r, rec, 0, err, sizeof(err));
	if (rc != 0) {
		web_refuse(an, rc == HEARTH_EINVAL ? 422 : 500, NULL, NULL, err[0] ? err : _(hearth_strerror(rc)));
		return;
	}
	web_answer(an, 200, json_object());
}

/* The record to change, live; NULL with an filled otherwise. */
static Hearth__Record *live_record(web_api *a, replica *r, const char *id, const kind_info **k,
                                   web_api_answer *an)
{
	Hearth__Record *rec;

	if (web_is_auditor(a)) {
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
		return NULL;
	}
	if (web_load_record(r, id, &rec, k, an) != 0)
		return NULL;
	if (rec->deleted || !record_body(rec)) {
		char msg[200];
		snprintf(msg, sizeof(msg), _("%s is deleted; its attachments cannot change"), id);
		web_refuse(an, 422, NULL, NULL, msg);
		hearth__record__free_unpacked(rec, NULL);
		return NULL;
	}
	return rec;
}

/* A file name as the browser gave it, without any directory a browser
 * might still put before it. */
static const char *base_name(const char *s)
{
	const char *p = strrchr(s, '/'), *q = strrchr(s, '\\');

	if (q && (!p || q > p))
		p = q;
	return p ? p + 1 : s;
}

static void do_attach(web_attach *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *id = rq->arg(rq->arg_ctx, "id"), *name = rq->arg(rq->arg_ctx, "name");
	const char *note = rq->arg(rq->arg_ctx, "note");
	Hearth__Record *rec = NULL, *before = NULL;
	const kind_info *k;
	attachment_file f;
	char err[1400];
	replica r;
	int rc;

	if (web_open_replica(a, &r, an) != 0)
		return;
	if (!(rec = live_record(a, &r, id, &k, an)))
		goto done;
	if (!name || !*(name = base_name(name))) {
		web_refuse(an, 400, NULL, "file", _("choose a file to attach"));
		goto done;
	}
	if (attachment_edit_check(record_body(rec), name, id, err, sizeof(err)) != 0) {
		web_refuse(an, 422, NULL, "file", err);
		goto done;
	}
	rc = attachments_keep_data(&r, rq->body ? rq->body : "", rq->body_len, rq->body_seen, name,
	                           ATTACHMENTS_SIZE_MAX_DEFAULT, &f, err, sizeof(err));
	if (rc != 0) {
		web_refuse(an, rc == HEARTH_ETOOBIG ? 413 : rc == HEARTH_EINVAL ? 422 : 500, NULL, "file", err);
		goto done;
	}
	if (replica_get(&r, rec->id.data, &before) != 0)
		before = NULL;
	rc = attachment_edit_add((ProtobufCMessage *)record_body(rec),
	                         &(attachment_add){ .name = name, .file = &f, .added_by = w->me, .note = note });
	if (rc != 0) {
		web_refuse(an, 500, NULL, NULL, _("out of memory"));
		goto done;
	}
	save(&r, k, rec, before ? record_body(before) : NULL, "file", an);
done:
	if (before)
		hearth__record__free_unpacked(before, NULL);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	replica_close(&r);
}

static void do_detach(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = web_body_json(rq, an);
	Hearth__Record *rec = NULL, *before = NULL;
	const char *name;
	const kind_info *k;
	char msg[1000];
	replica r;

	if (!j)
		return;
	name = json_string_value(json_object_get(j, "name"));
	if (web_open_replica(a, &r, an) != 0) {
		json_decref(j);
		return;
	}
	if (!(rec = live_record(a, &r, json_string_value(json_object_get(j, "id")), &k, an)))
		goto done;
	if (replica_get(&r, rec->id.data, &before) != 0)
		before = NULL;
	if (!name || attachment_edit_remove((ProtobufCMessage *)record_body(rec), name) != 0) {
		snprintf(msg, sizeof(msg), _("this record has no attachment named %s"), name ? name : "");
		web_refuse(an, 404, NULL, "name", msg);
		goto done;
	}
	save(&r, k, rec, before ? record_body(before) : NULL, NULL, an);
done:
	if (before)
		hearth__record__free_unpacked(before, NULL);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	replica_close(&r);
	json_decref(j);
}

/* -------------------------------------------------------------- routes */

int web_attach_handle(web_attach *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *path = rq->path;

	if (!rq->post) {
		if (!strcmp(path, "/api/attach-text"))
			do_text(an);
		else if (!strcmp(path, "/api/attachments"))
			do_list(a, rq, an);
		else if (!strcmp(path, "/api/attachment"))
			do_get(w, a, rq, an);
		else
			return 0;
		return 1;
	}
	if (!strcmp(path, "/api/attach"))
		do_attach(w, a, rq, an);
	else if (!strcmp(path, "/api/detach"))
		do_detach(a, rq, an);
	else
		return 0;
	return 1;
}
