/* web_api.c: the JSON routes of `hearth ui` over the replica and the client
 * core; the page builds everything it shows from these answers. */
#include "client/ui/web_api.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/branch_lookup.h"
#include "client/core/due_keep.h"
#include "client/core/due_load.h"
#include "client/core/event_list.h"
#include "client/core/field_input.h"
#include "client/core/identity.h"
#include "client/core/local_rules.h"
#include "client/core/read_only.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/replica_conflicts.h"
#include "client/core/replica_events.h"
#include "client/core/replica_meta.h"
#include "client/core/replica_rejected.h"
#include "client/core/resolve.h"
#include "client/core/values.h"
#include "client/ui/web_api_lend.h"
#include "common/date.h"
#include "common/fieldmap.h"
#include "common/hash64.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/uuid.h"

/* How many rows a list answers at a time; the page asks for the next ones
 * with offset (显示更多) and the search narrows them. A page of a list of
 * 50,000 visits stays within the 50 ms of issue 14 this way: only the rows
 * shown are described, the others are only counted. */
#define WEB_LIST_PAGE 100
#define WEB_MEMBERS_MAX 50
/* How many 应办事项 (and members not yet visited) 首页 shows. */
#define WEB_HOME_DUE_MAX 200
/* How many computed answers are kept (首页, 报表 of a year or two). */
#define WEB_CACHE_SLOTS 4
#define WEB_CACHE_KEY_MAX 256

/* A computed answer kept for as long as the replica it was read from has
 * not changed: same replica (its id) and same generation (the last
 * committed write transaction), same request key. */
typedef struct web_cached {
	char key[WEB_CACHE_KEY_MAX];
	uint8_t replica_id[16];
	uint64_t gen;
	unsigned status;
	char *json;                 /* owned; NULL: an empty slot */
} web_cached;

/* The cells' text of every live record of one kind, as the list shows them
 * (masked, names, 元), kept until the replica changes: a person typing a
 * search asks again at each character, and reading 50,000 visits' cells
 * costs far more than searching their text. Row i's cells are at
 * text + start[i], separated by US (0x1f), ended by a NUL. */
typedef struct search_index {
	uint8_t replica_id[16];
	uint64_t gen;               /* 0: empty */
	Hearth__Kind kind;
	char *text;
	size_t len, cap;
	size_t *start;
	uint8_t (*id)[UUID_LEN];
	uint64_t *hash;             /* hash64 of row i's packed record: unchanged bytes, same text (a
	                             * collision would keep one stale row until that record changes
	                             * again: 2^-64 per changed record) */
	uint64_t names_hash;        /* of the member names its text was read with */
	size_t n, ncap;
} search_index;
/* A kind whose text is larger is searched without an index. */
#define WEB_SEARCH_TEXT_MAX (64u << 20)

struct web_api {
	profile prof;
	const char *csrf;
	web_sync_fn sync;
	void *sync_arg;
	tls_identity id;            /* from the profile's certificate */
	int id_ok;
	web_sync_watch_fn sync_watch;
	void *sync_watch_arg;
	web_cached cache[WEB_CACHE_SLOTS];
	size_t cache_next;          /* the slot a new key takes next */
	search_index search;        /* of the kind searched last */
	due_keep due;               /* every record 首页, 报表 and 党费月度 compute over, followed */
};

int web_api_new(web_api **out, const web_api_options *o)
{
	web_api *a = calloc(1, sizeof(*a));
	char err[300];

	*out = NULL;
	if (!a)
		return HEARTH_ENOMEM;
	a->prof = *o->prof;
	a->csrf = o->csrf;
	a->sync = o->sync;
	a->sync_arg = o->sync_arg;
	a->id_ok = identity_read(a->prof.cert, &a->id, err, sizeof(err)) == IDENTITY_OK;
	a->sync_watch = o->sync_watch;
	a->sync_watch_arg = o->sync_watch_arg;
	due_keep_init(&a->due);
	*out = a;
	return 0;
}

void web_api_free(web_api *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < WEB_CACHE_SLOTS; i++)
		free(a->cache[i].json);
	free(a->search.text);
	free(a->search.start);
	free(a->search.id);
	free(a->search.hash);
	due_keep_free(&a->due);
	free(a);
}

int web_api_is_post_only(const char *path)
{
	static const char *const posts[] = { "/api/sync", "/api/save", "/api/delete", "/api/reveal",
	                                     "/api/resolve", "/api/discard" };
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(posts); i++)
		if (!strcmp(path, posts[i]))
			return 1;
	return 0;
}

/* ----------------------------------------------------- computed answers */

static web_cached *cache_slot(web_api *a, const char *key)
{
	for (size_t i = 0; i < WEB_CACHE_SLOTS; i++)
		if (a->cache[i].json && !strcmp(a->cache[i].key, key))
			return &a->cache[i];
	return NULL;
}

/* 首页 and 报表 read every record of the replica to compute their answer,
 * and the page asks for them again on every visit: the answer is kept and
 * given again until the replica changes. The generation is read before the
 * records are: a write landing between the two makes the kept answer newer
 * than its generation says, which only costs one computation more, never a
 * stale answer. */
int web_cache_answer(web_api *a, replica *r, const char *key, uint64_t *gen, web_api_answer *an)
{
	web_cached *c;
	char *copy;

	if (replica_generation(r, gen) != 0 || strlen(key) >= WEB_CACHE_KEY_MAX) {
		*gen = 0;           /* not kept either */
		return 0;
	}
	c = cache_slot(a, key);
	if (!c || c->gen != *gen || memcmp(c->replica_id, r->replica_id, sizeof(c->replica_id)) != 0)
		return 0;
	if (!(copy = strdup(c->json)))
		return 0;
	an->status = c->status;
	an->json = copy;
	return 1;
}

void web_cache_keep(web_api *a, replica *r, const char *key, uint64_t gen, const web_api_answer *an)
{
	web_cached *c;
	char *copy;

	if (gen == 0 || an->status != 200 || !an->json || strlen(key) >= WEB_CACHE_KEY_MAX)
		return;
	if (!(copy = strdup(an->json)))
		return;
	if (!(c = cache_slot(a, key))) {
		c = &a->cache[a->cache_next];
		a->cache_next = (a->cache_next + 1) % WEB_CACHE_SLOTS;
	}
	free(c->json);
	snprintf(c->key, sizeof(c->key), "%s", key);
	memcpy(c->replica_id, r->replica_id, sizeof(c->replica_id));
	c->gen = gen;
	c->status = an->status;
	c->json = copy;
}

/* 首页, 报表 and 党费月度 compute over every record; the records are kept in this
 * process and followed as they change (due_keep.h), so the first request
 * after an edit reads the edited records again, not all of them. */
int web_due_snapshot(web_api *a, replica *r, const due_snapshot **snap)
{
	return due_keep_get(&a->due, r, snap, NULL);
}

/* ------------------------------------------------------------ JSON bits */

/* A JSON string of s; text that is not UTF-8 (never stored: records are
 * validated) becomes "" rather than failing the whole answer. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("");
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, jstr(s));
}

static void answer(web_api_answer *an, unsigned status, json_t *j)
{
	an->status = status;
	an->json = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
}

/* A refusal the page shows next to field (NULL: at the top). */
static void refuse(web_api_answer *an, unsigned status, const kind_info *k, const char *field,
                   const char *sentence)
{
	json_t *j = json_object();
	const field_rule *rule = NULL;

	set_str(j, "error", sentence);
	if (field && field[0]) {
		set_str(j, "field", field);
		if (k) {
			const ProtobufCFieldDescriptor *fd =
				protobuf_c_message_descriptor_get_field_by_name(k->desc, field);
			rule = fd ? kind_rule(k, fd->id) : NULL;
		}
		set_str(j, "label", rule && rule->label ? rule->label : field);
	}
	answer(an, status, j);
}

static int open_replica(web_api *a, replica *r, web_api_answer *an)
{
	char err[1400];
	char msg[1600];

	if (replica_open(r, a->prof.home, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), _("cannot open the local replica: %s"), err);
		refuse(an, 500, NULL, NULL, msg);
		return -1;
	}
	return 0;
}

static uint32_t rule_flags(const field_rule *r)
{
	return r ? r->flags : 0;
}

/* The branch this replica writes: what the sync stored, else the one the
 * certificate names. */
static void own_branch(web_api *a, replica *r, char *out, size_t cap)
{
	char b[128] = "";

	(void)replica_meta_get_str(r, "branch", b, sizeof(b));
	if (!b[0] && a->id_ok)
		snprintf(b, sizeof(b), "%s", a->id.branch_id);
	snprintf(out, cap, "%s", b);
}

/* --------------------------------------------------------- field values */

/* The type the page uses to build a field's input. */
static const char *field_type(const ProtobufCFieldDescriptor *fd, const field_rule *rule)
{
	uint32_t f = rule_flags(rule);

	if (f & FIELD_ID)
		return "ref";
	if (f & FIELD_DATE)
		return "date";
	if (f & FIELD_MONTH)
		return "month";
	if (f & FIELD_MONEY)
		return "money";
	if (f & FIELD_MULTILINE)
		return "text";
	switch (fd->type) {
	case PROTOBUF_C_TYPE_ENUM: return "enum";
	case PROTOBUF_C_TYPE_BOOL: return "bool";
	case PROTOBUF_C_TYPE_STRING: return "string";
	case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_DOUBLE: return "number";
	default: return "int";
	}
}

static json_t *kind_json(const kind_info *k)
{
	json_t *o = json_object(), *fields = json_array();

	set_str(o, "name", k->name);
	set_str(o, "label", k->label);
	set_str(o, "list", k->list_fields ? k->list_fields : "");
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		const field_rule *rule = kind_rule(k, fd->id);
		json_t *f;

		if (!field_input_supported(fd, rule))
			continue;
		f = json_object();
		set_str(f, "name", fd->name);
		set_str(f, "label", rule && rule->label ? rule->label : fd->name);
		set_str(f, "type", field_type(fd, rule));
		json_object_set_new(f, "repeated", json_boolean(fd->label == PROTOBUF_C_LABEL_REPEATED));
		json_object_set_new(f, "required", json_boolean(rule_flags(rule) & FIELD_REQUIRED));
		json_object_set_new(f, "sensitive", json_boolean(rule_flags(rule) & FIELD_SENSITIVE));
		if (fd->type == PROTOBUF_C_TYPE_ENUM) {
			const ProtobufCEnumDescriptor *d = fd->descriptor;
			json_t *opts = json_array();
			for (unsigned v = 0; v < d->n_values; v++) {
				char shortname[64];
				json_t *opt;
				if (d->values[v].value == 0)
					continue;
				enum_short_name(d, d->values[v].value, shortname, sizeof(shortname));
				opt = json_object();
				set_str(opt, "value", shortname);
				set_str(opt, "label", enum_label(d, d->values[v].value));
				json_array_append_new(opts, opt);
			}
			json_object_set_new(f, "options", opts);
		}
		json_array_append_new(fields, f);
	}
	json_object_set_new(o, "fields", fields);
	return o;
}

/* A member's name by id from the replica, "" when unknown. */
static void member_name(replica *r, const uint8_t *id, size_t len, char *out, size_t cap)
{
	Hearth__Record *rec = NULL;

	out[0] = '\0';
	if (len != UUID_LEN || replica_get(r, id, &rec) != 0)
		return;
	if (rec->body_case == HEARTH__RECORD__BODY_MEMBER && rec->member && rec->member->name)
		snprintf(out, cap, "%s", rec->member->name);
	hearth__record__free_unpacked(rec, NULL);
}

/* One element as the form's input takes it back (field_input_apply). */
static json_t *form_elem(const ProtobufCFieldDescriptor *fd, const field_rule *rule, const void *p)
{
	char tmp[64];

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		return jstr(*(char *const *)p);
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *d = p;
		char text[UUID_TEXT_LEN + 1] = "";
		if (d->len == UUID_LEN)
			uuid_format(d->data, text);
		return jstr(text);
	}
	case PROTOBUF_C_TYPE_ENUM:
		enum_short_name(fd->descriptor, *(const int32_t *)p, tmp, sizeof(tmp));
		return jstr(*(const int32_t *)p ? tmp : "");
	case PROTOBUF_C_TYPE_BOOL:
		return jstr(*(const protobuf_c_boolean *)p ? "true" : "false");
	case PROTOBUF_C_TYPE_FLOAT:
		snprintf(tmp, sizeof(tmp), "%g", (double)*(const float *)p);
		return jstr(tmp);
	case PROTOBUF_C_TYPE_DOUBLE:
		snprintf(tmp, sizeof(tmp), "%g", *(const double *)p);
		return jstr(tmp);
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		snprintf(tmp, sizeof(tmp), "%" PRIu64, *(const uint64_t *)p);
		return jstr(tmp);
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		snprintf(tmp, sizeof(tmp), "%" PRIu32, *(const uint32_t *)p);
		return jstr(tmp);
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		if (rule_flags(rule) & FIELD_MONEY) {
			char y[MONEY_YUAN_TEXT_MAX];
			money_yuan_format(*(const int64_t *)p, y);
			return jstr(y);
		}
		snprintf(tmp, sizeof(tmp), "%" PRId64, *(const int64_t *)p);
		return jstr(tmp);
	default:
		snprintf(tmp, sizeof(tmp), "%" PRId32, *(const int32_t *)p);
		return jstr(tmp);
	}
}

/* A record's fields for the page: for each settable field its label, the
 * text people read (masked unless revealed: value_field_view, the CLI's
 * one mask), and unless masked the value the form edits. References carry
 * the member's name beside the id. */
/* The members' names by id, read once for a search of a kind that refers
 * to members, so each row's names are found without a read of the replica
 * per reference (a search of 50,000 visits made 50,000 of them). ids are
 * sorted: replica_each walks in id order. */
typedef struct name_table {
	uint8_t (*id)[UUID_LEN];
	char **name;
	size_t n, cap;
} name_table;

static int name_one(void *ctx, const Hearth__Record *rec)
{
	name_table *t = ctx;

	if (rec->id.len != UUID_LEN || !rec->member)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		void *ids = realloc(t->id, cap * sizeof(*t->id)), *names;
		if (!ids)
			return HEARTH_ENOMEM;
		t->id = ids;
		if (!(names = realloc(t->name, cap * sizeof(*t->name))))
			return HEARTH_ENOMEM;
		t->name = names;
		t->cap = cap;
	}
	if (!(t->name[t->n] = strdup(rec->member->name ? rec->member->name : "")))
		return HEARTH_ENOMEM;
	memcpy(t->id[t->n++], rec->id.data, UUID_LEN);
	return 0;
}

static void name_table_free(name_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->id);
	memset(t, 0, sizeof(*t));
}

/* Every member, deleted ones too (member_name finds them as well); none
 * for a kind without references, whose search needs no names. */
static int name_table_load(replica *r, const kind_info *k, name_table *t)
{
	arena ar;
	int rc, refers = 0;

	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < k->desc->n_fields && !refers; i++)
		refers = (rule_flags(kind_rule(k, k->desc->fields[i].id)) & FIELD_ID) != 0;
	if (!refers)
		return 0;
	arena_init(&ar);
	rc = replica_each_in(r, HEARTH__KIND__KIND_MEMBER, 1, &ar, name_one, t);
	arena_free(&ar);
	if (rc != 0)
		name_table_free(t);
	return rc;
}

static void table_name(const name_table *t, const uint8_t *id, size_t len, char *out, size_t cap)
{
	size_t lo = 0, hi = t->n;

	out[0] = '\0';
	if (len != UUID_LEN)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(t->id[mid], id, UUID_LEN);
		if (c == 0) {
			snprintf(out, cap, "%s", t->name[mid]);
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* A record body packed and split by field, as value_field_view reads it. */
typedef struct packed_body {
	fieldmap fm;
	uint8_t *packed;
} packed_body;

static void packed_body_init(packed_body *pb, const ProtobufCMessage *body)
{
	size_t plen = 0;

	pb->fm = (fieldmap)FIELDMAP_INIT;
	pb->packed = NULL;
	if (!body)
		return;
	plen = protobuf_c_message_get_packed_size(body);
	pb->packed = malloc(plen ? plen : 1);
	if (pb->packed) {
		protobuf_c_message_pack(body, pb->packed);
		if (fieldmap_parse(pb->packed, plen, &pb->fm) != 0)
			fieldmap_free(&pb->fm);
	}
}

static void packed_body_free(packed_body *pb)
{
	fieldmap_free(&pb->fm);
	free(pb->packed);
}

/* How a list cell, a record's page and a search read one field: the text
 * people see (masked unless view, names for references, 元 for money).
 * names: NULL reads each reference's name from r. The references' names
 * also go into refs when it is not NULL. Returns a malloc'd string the
 * caller frees, or NULL when out of memory. */
static char *cell_text(replica *r, const name_table *names, const kind_info *k, const ProtobufCMessage *body,
                       const packed_body *pb, const ProtobufCFieldDescriptor *fd, value_view view,
                       json_t *refs)
{
	const field_rule *rule = kind_rule(k, fd->id);
	int masked = (rule_flags(rule) & FIELD_SENSITIVE) && view == VALUE_MASKED;
	const field_entry *fe;

	if (!body || !pbfield_is_set(body, fd))
		return strdup("");
	if (rule_flags(rule) & FIELD_ID) {
		/* People read names, never ids. */
		const ProtobufCBinaryData *d;
		size_t n = 1;
		char names_text[2000] = "", name[200];
		size_t o = 0;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *pbfield_count(body, fd);
			d = *(ProtobufCBinaryData *const *)pbfield_ptr(body, fd);
		} else {
			d = pbfield_ptr(body, fd);
		}
		for (size_t e = 0; e < n; e++) {
			if (names)
				table_name(names, d[e].data, d[e].len, name, sizeof(name));
			else
				member_name(r, d[e].data, d[e].len, name, sizeof(name));
			if (refs) {
				char idt[UUID_TEXT_LEN + 1] = "";
				json_t *ref = json_object();
				if (d[e].len == UUID_LEN)
					uuid_format(d[e].data, idt);
				set_str(ref, "id", idt);
				set_str(ref, "name", name[0] ? name : _("(unknown member)"));
				json_array_append_new(refs, ref);
			}
			if (o < sizeof(names_text))
				o += (size_t)snprintf(names_text + o, sizeof(names_text) - o, "%s%s",
				                      e ? "\xe3\x80\x81" : "", name[0] ? name : "?");
		}
		return strdup(names_text);
	}
	if ((rule_flags(rule) & FIELD_MONEY) && !masked && fd->label != PROTOBUF_C_LABEL_REPEATED &&
	    (fd->type == PROTOBUF_C_TYPE_INT64 || fd->type == PROTOBUF_C_TYPE_SINT64 ||
	     fd->type == PROTOBUF_C_TYPE_SFIXED64)) {
		/* People read yuan (the form takes them back the same way). */
		char y[MONEY_YUAN_TEXT_MAX + 8];
		money_yuan_format(*(const int64_t *)pbfield_ptr(body, fd), y);
		strcat(y, " \xe5\x85\x83");
		return strdup(y);
	}
	fe = fieldmap_get(&pb->fm, fd->id);
	{
		char *text = value_field_view(k, fd->id, fe ? fe->bytes : NULL, fe ? fe->len : 0, view);
		return text ? text : strdup("");
	}
}

static json_t *fields_json(replica *r, const kind_info *k, const ProtobufCMessage *body,
                           value_view view)
{
	json_t *arr = json_array();
	packed_body pb;

	packed_body_init(&pb, body);
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		const field_rule *rule = kind_rule(k, fd->id);
		int sensitive = (rule_flags(rule) & FIELD_SENSITIVE) != 0;
		int masked = sensitive && view == VALUE_MASKED;
		json_t *f, *refs = NULL;
		char *text;

		if (!field_input_supported(fd, rule))
			continue;
		f = json_object();
		set_str(f, "name", fd->name);
		set_str(f, "label", rule && rule->label ? rule->label : fd->name);
		json_object_set_new(f, "sensitive", json_boolean(sensitive));
		json_object_set_new(f, "masked", json_boolean(masked && body && pbfield_is_set(body, fd)));
		if (!body || !pbfield_is_set(body, fd)) {
			set_str(f, "text", "");
			if (!masked)
				set_str(f, "value", "");
			json_array_append_new(arr, f);
			continue;
		}
		if (rule_flags(rule) & FIELD_ID)
			refs = json_array();
		text = cell_text(r, NULL, k, body, &pb, fd, view, refs);
		if (refs) {
			json_object_set_new(f, "refs", refs);
			set_str(f, "text", text);
			free(text);
			json_array_append_new(arr, f);
			continue;
		}
		set_str(f, "text", text);
		free(text);
		if (!masked) {
			if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
				size_t n = *pbfield_count(body, fd), sz = pbfield_elem_size(fd);
				const char *base = *(char *const *)pbfield_ptr(body, fd);
				json_t *vals = json_array();
				for (size_t e = 0; e < n; e++)
					json_array_append_new(vals, form_elem(fd, rule, base + e * sz));
				json_object_set_new(f, "values", vals);
			} else {
				json_object_set_new(f, "value", form_elem(fd, rule, pbfield_ptr(body, fd)));
			}
		}
		json_array_append_new(arr, f);
	}
	packed_body_free(&pb);
	return arr;
}

/* What a transfer summary's row shows in place of its stored cells (the
 * member's name kept at acceptance, the receiving branch, 已转出（只读）),
 * for a search to find it by; "" for any other record. */
static void summary_search_text(const kind_info *k, const ProtobufCMessage *body, char *out, size_t cap)
{
	const Hearth__TransferSummary *sum = body ? record_transfer_summary(k, body) : NULL;

	out[0] = '\0';
	if (sum)
		snprintf(out, cap, "%s\x1f%s %s\x1f%s", sum->member_name, ((const Hearth__Transfer *)body)->to_branch,
		         sum->to_branch_name, _("transferred out (read-only)"));
}

/* Whether q is in the text of one of body's cells as the list shows them
 * (masked), read without building the row: a search reads every record of
 * the kind, and only the rows of the page are built. */
static int body_matches(replica *r, const name_table *names, const kind_info *k, const ProtobufCMessage *body,
                        const char *q)
{
	packed_body pb;
	char sum[1200];
	int hit = 0;

	if (!q || !q[0])
		return 1;
	summary_search_text(k, body, sum, sizeof(sum));
	if (sum[0] && strstr(sum, q))
		return 1;
	packed_body_init(&pb, body);
	for (unsigned i = 0; i < k->desc->n_fields && !hit; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		char *text;

		if (!field_input_supported(fd, kind_rule(k, fd->id)) || !body || !pbfield_is_set(body, fd))
			continue;
		text = cell_text(r, names, k, body, &pb, fd, VALUE_MASKED, NULL);
		hit = text && strstr(text, q);
		free(text);
	}
	packed_body_free(&pb);
	return hit;
}

/* ---------------------------------------------------------------- routes */

/* A general branch's replica holds the branches below it (sync stores
 * them as "scope_branches"): the page offers them, with their names, as
 * the branch of a new record. An empty array for any other replica. */
static void scope_json(replica *r, json_t *j)
{
	char list[64 * 66] = "", id[80], name[200];
	json_t *arr = json_array();
	const char *p;

	if (replica_meta_get_str(r, "scope_branches", list, sizeof(list)) != 0)
		list[0] = '\0';
	for (p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0)) {
		size_t n = strcspn(p, ",");
		json_t *o;

		if (!n || n >= sizeof(id))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)n, p);
		if (branch_name_of(r, id, name, sizeof(name)) != 0)
			name[0] = '\0';
		o = json_object();
		set_str(o, "id", id);
		set_str(o, "name", name);
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "scope_branches", arr);
}

static void do_session(web_api *a, web_api_answer *an)
{
	json_t *j = json_object();
	replica r;
	char branch[128] = "";

	set_str(j, "csrf", a->csrf);
	set_str(j, "version", HEARTH_VERSION);
	set_str(j, "server", a->prof.server);
	set_str(j, "role", !a->id_ok ? "" : identity_role_word(a->id.role));
	set_str(j, "name", a->id_ok ? a->id.name : "");
	if (replica_open(&r, a->prof.home, branch, sizeof(branch)) == 0) {
		own_branch(a, &r, branch, sizeof(branch));
		scope_json(&r, j);
		replica_close(&r);
	} else {
		branch[0] = '\0';
	}
	set_str(j, "branch", branch);
	answer(an, 200, j);
}

static void do_kinds(web_api_answer *an)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < kind_count(); i++)
		json_array_append_new(arr, kind_json(kind_at(i)));
	answer(an, 200, arr);
}

static void do_home(web_api *a, web_api_answer *an)
{
	due_config cfg;
	const due_snapshot *snap;
	due_keep_result kept;
	due_report rep;
	replica_status st;
	replica r;
	json_t *j, *items, *camps, *status;
	char err[400], day[16], key[WEB_CACHE_KEY_MAX];
	int32_t today;
	uint64_t gen;
	int rc;

	if (due_config_load(&cfg, a->prof.home, err, sizeof(err)) != 0 ||
	    due_today(&today, err, sizeof(err)) != 0) {
		refuse(an, 500, NULL, NULL, err);
		return;
	}
	if (open_replica(a, &r, an) != 0)
		return;
	/* The answer depends on the replica, today and the [due] settings. */
	snprintf(key, sizeof(key), "home %" PRId32 " %" PRId32 " %" PRId32 " %" PRId32 " %" PRId32 " %" PRId32
	         " %" PRId32, today, cfg.visit_gap_days, cfg.talk_window_days, cfg.talk_lookback_days,
	         cfg.note_gap_days, cfg.dues_months, cfg.contact_gap_days);
	if (web_cache_answer(a, &r, key, &gen, an)) {
		replica_close(&r);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	/* The count of records comes from the kept snapshot's walk (which
	 * reads every record's bytes anyway), not from a second scan; the
	 * rest of the status is a few keys. */
	if ((rc = due_keep_get(&a->due, &r, &snap, &kept)) != 0 ||
	    (rc = due_compute(snap, today, &cfg, &rep)) != 0 || (rc = replica_status_brief(&r, &st)) != 0) {
		snprintf(err, sizeof(err), _("cannot read the local replica: %s"), hearth_strerror(rc));
		refuse(an, 500, NULL, NULL, err);
		goto done;
	}
	j = json_object();
	date_format(today, day);
	set_str(j, "today", day);
	items = json_array();
	/* The first items in the report's order (most urgent first): a list
	 * of thousands helps nobody on a home page and costs the page its
	 * speed; the count says how many there are. */
	for (size_t i = 0; i < rep.n_items && i < WEB_HOME_DUE_MAX; i++) {
		const due_item *it = &rep.items[i];
		json_t *o = json_object();
		char idt[UUID_TEXT_LEN + 1];
		set_str(o, "what", due_what_name(it->what));
		set_str(o, "label", due_what_label(it->what));
		set_str(o, "member", it->member_name);
		uuid_format(it->record, idt);
		set_str(o, "record", idt);
		set_str(o, "reason", it->reason);
		date_format(it->since, day);
		set_str(o, "since", day);
		json_object_set_new(o, "days", json_integer(it->days));
		json_object_set_new(o, "overdue", json_boolean(it->overdue));
		set_str(o, "detail", it->detail);
		json_array_append_new(items, o);
	}
	json_object_set_new(j, "due", items);
	json_object_set_new(j, "due_total", json_integer((json_int_t)rep.n_items));
	camps = json_array();
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(rep.campaigns); i++) {
		const due_campaign *c = &rep.campaigns[i];
		json_t *o = json_object(), *miss = json_array();
		set_str(o, "occasion", enum_label(&hearth__visit_occasion__descriptor, c->occasion));
		json_object_set_new(o, "visited", json_integer(c->visited));
		json_object_set_new(o, "total", json_integer(c->total));
		for (size_t m = 0; m < c->n_missing && m < WEB_HOME_DUE_MAX; m++)
			json_array_append_new(miss, jstr(c->missing[m]));
		json_object_set_new(o, "missing", miss);
		json_object_set_new(o, "missing_total", json_integer((json_int_t)c->n_missing));
		json_array_append_new(camps, o);
	}
	json_object_set_new(j, "campaigns", camps);
	json_object_set_new(j, "year", json_integer(rep.year));
	status = json_object();
	json_object_set_new(status, "pending", json_integer((json_int_t)st.pending_ops));
	json_object_set_new(status, "rejected", json_integer((json_int_t)st.rejected));
	json_object_set_new(status, "conflicts", json_integer((json_int_t)st.open_conflicts));
	json_object_set_new(status, "records", json_integer((json_int_t)kept.live));
	json_object_set_new(status, "last_sync_ms", json_integer((json_int_t)st.last_sync_ms));
	json_object_set_new(j, "status", status);
	answer(an, 200, j);
	web_cache_keep(a, &r, key, gen, an);
done:
	due_report_free(&rep);
	replica_close(&r);
}

const kind_info *web_kind_arg(const web_api_request *rq, web_api_answer *an)
{
	const char *name = rq->arg(rq->arg_ctx, "kind");
	const kind_info *k = name ? kind_by_name(name) : NULL;
	char msg[200];

	if (!k) {
		snprintf(msg, sizeof(msg), _("kind \"%s\" is not a kind of record (member, hardship, visit, …)"),
		         name ? name : "");
		refuse(an, 400, NULL, "kind", msg);
	}
	return k;
}

typedef struct list_ctx {
	replica *r;
	const kind_info *k;
	const char *q;
	const name_table *names;    /* for a search: the members' names */
	json_t *rows;
	size_t n, shown, offset;
} list_ctx;

/* A transfer's summary (read_only.h) is the sending branch's trace of a
 * member who left: the member is no longer in this replica, so the page
 * reads her name, the receiving branch's name and a status that says the
 * record is only a trace, as `transfer list` does (record_view.c), and
 * learns it may offer no edit: "read_only" with the core's sentence
 * (obj may be NULL when only the texts are wanted, for a search). */
static void read_only_json(const Hearth__Record *rec, json_t *obj, json_t *fields)
{
	const Hearth__TransferSummary *sum;
	char why[600], to[300];
	size_t i;
	json_t *f;

	if (read_only_check(rec, why, sizeof(why)) == READ_ONLY_NO)
		return;
	if (obj) {
		json_object_set_new(obj, "read_only", json_true());
		set_str(obj, "read_only_why", why);
	}
	sum = record_transfer_summary(kind_find(rec->kind), record_body(rec));
	if (!sum)
		return;
	snprintf(to, sizeof(to), "%s%s%s", rec->transfer->to_branch, sum->to_branch_name[0] ? " " : "",
	         sum->to_branch_name);
	json_array_foreach(fields, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));

		if (!name)
			continue;
		if (!strcmp(name, "member") && sum->member_name[0]) {
			json_t *ref = json_array_get(json_object_get(f, "refs"), 0);
			set_str(f, "text", sum->member_name);
			if (ref)
				set_str(ref, "name", sum->member_name);
		}
		else if (!strcmp(name, "to_branch"))
			set_str(f, "text", to);
		else if (!strcmp(name, "status"))
			set_str(f, "text", _("transferred out (read-only)"));
	}
}

static int list_one(void *ctx, const Hearth__Record *rec)
{
	list_ctx *l = ctx;
	json_t *row, *fields;
	char idt[UUID_TEXT_LEN + 1];

	/* Without a search a row outside the page is only counted; with one,
	 * every row's text is read (not built) to know whether it matches. */
	if (l->q && l->q[0] && !body_matches(l->r, l->names, l->k, record_body(rec), l->q))
		return 0;
	if (l->n++ < l->offset || l->shown >= WEB_LIST_PAGE)
		return 0;
	fields = fields_json(l->r, l->k, record_body(rec), VALUE_MASKED);
	row = json_object();
	uuid_format(rec->id.data, idt);
	set_str(row, "id", idt);
	set_str(row, "branch", rec->branch_id);
	read_only_json(rec, row, fields);
	json_object_set_new(row, "fields", fields);
	json_array_append_new(l->rows, row);
	l->shown++;
	return 0;
}

typedef struct index_ctx {
	replica *r;
	const name_table *names;
	const kind_info *k;
	search_index *ix;
	const search_index *prev;   /* the last index of the kind, its rows reused; NULL: none */
	size_t at;                  /* the next row of prev to compare */
	uint64_t hash;              /* of the record being indexed */
	size_t reused, read;        /* rows copied from prev, records read */
} index_ctx;

static int index_put(search_index *ix, const char *text, size_t len)
{
	if (ix->len + len > WEB_SEARCH_TEXT_MAX)
		return HEARTH_ETOOBIG;
	if (ix->len + len > ix->cap) {
		size_t cap = ix->cap ? ix->cap : 1u << 16;
		char *t;
		while (cap < ix->len + len)
			cap *= 2;
		if (!(t = realloc(ix->text, cap)))
			return HEARTH_ENOMEM;
		ix->text = t;
		ix->cap = cap;
	}
	memcpy(ix->text + ix->len, text, len);
	ix->len += len;
	return 0;
}

/* Starts row ix->n (ix->n grows when the row's text is complete). */
static int index_row(search_index *ix, const uint8_t *id, uint64_t hash)
{
	if (ix->n == ix->ncap) {
		size_t cap = ix->ncap ? ix->ncap * 2 : 1024;
		void *st = realloc(ix->start, cap * sizeof(*ix->start)), *ids, *hs;
		if (!st)
			return HEARTH_ENOMEM;
		ix->start = st;
		if (!(ids = realloc(ix->id, cap * sizeof(*ix->id))))
			return HEARTH_ENOMEM;
		ix->id = ids;
		if (!(hs = realloc(ix->hash, cap * sizeof(*ix->hash))))
			return HEARTH_ENOMEM;
		ix->hash = hs;
		ix->ncap = cap;
	}
	ix->start[ix->n] = ix->len;
	memcpy(ix->id[ix->n], id, UUID_LEN);
	ix->hash[ix->n] = hash;
	return 0;
}

static int index_one(void *ctx, const Hearth__Record *rec)
{
	index_ctx *c = ctx;
	search_index *ix = c->ix;
	const ProtobufCMessage *body = record_body(rec);
	packed_body pb;
	int rc = 0;

	if (rec->id.len != UUID_LEN)
		return 0;
	if ((rc = index_row(ix, rec->id.data, c->hash)) != 0)
		return rc;
	packed_body_init(&pb, body);
	for (unsigned i = 0; i < c->k->desc->n_fields && rc == 0; i++) {
		const ProtobufCFieldDescriptor *fd = &c->k->desc->fields[i];
		char *text;

		if (!field_input_supported(fd, kind_rule(c->k, fd->id)) || !body || !pbfield_is_set(body, fd))
			continue;
		if (!(text = cell_text(c->r, c->names, c->k, body, &pb, fd, VALUE_MASKED, NULL)))
			rc = HEARTH_ENOMEM;
		else if ((rc = index_put(ix, text, strlen(text))) == 0)
			rc = index_put(ix, "\x1f", 1);
		free(text);
	}
	packed_body_free(&pb);
	if (rc == 0) {
		char sum[1200];
		summary_search_text(c->k, body, sum, sizeof(sum));
		if (sum[0])
			rc = index_put(ix, sum, strlen(sum));
	}
	if (rc == 0)
		rc = index_put(ix, "", 1);
	if (rc == 0)
		ix->n++;
	return rc;
}

/* One live record of the kind, as packed: its row of the last index when
 * its bytes are the same (rows come in id order, as the records do), else
 * read from its cells. */
static int index_raw(void *ctx, const uint8_t id[16], const uint8_t *bytes, size_t len)
{
	index_ctx *c = ctx;
	const search_index *p = c->prev;
	uint64_t h = hash64(bytes, len, HASH64_SEED);
	Hearth__Record *rec;
	int rc;

	while (p && c->at < p->n && memcmp(p->id[c->at], id, UUID_LEN) < 0)
		c->at++;
	if (p && c->at < p->n && !memcmp(p->id[c->at], id, UUID_LEN) && p->hash[c->at] == h) {
		const char *row = p->text + p->start[c->at];
		if ((rc = index_row(c->ix, id, h)) != 0 || (rc = index_put(c->ix, row, strlen(row) + 1)) != 0)
			return rc;
		c->ix->n++;
		c->reused++;
		return 0;
	}
	if (!(rec = hearth__record__unpack(NULL, len, bytes)))
		return HEARTH_ECORRUPT;
	rc = 0;
	if (rec->kind == c->k->kind && !rec->deleted) {
		c->hash = h;
		c->read++;
		rc = index_one(c, rec);
	}
	hearth__record__free_unpacked(rec, NULL);
	return rc;
}

static uint64_t names_hash(const name_table *t)
{
	uint64_t h = HASH64_SEED;

	for (size_t i = 0; i < t->n; i++) {
		h = hash64(t->id[i], UUID_LEN, h);
		h = hash64(t->name[i], strlen(t->name[i]) + 1, h);
	}
	return h;
}

static void search_index_free(search_index *ix)
{
	free(ix->text);
	free(ix->start);
	free(ix->id);
	free(ix->hash);
	memset(ix, 0, sizeof(*ix));
}

/* The search index of k at r's generation gen: the kept one, or one built
 * now. After a change, the rows of the records whose bytes did not change
 * are taken from the last index of the kind (when the member names its
 * references read are the same), so only the changed records are read:
 * one scan of the kind's packed bytes instead of reading 50,000 visits'
 * cells. Returns 0, or an error (the index is then empty and the search
 * reads the records instead). */
static int search_index_get(web_api *a, replica *r, const kind_info *k, uint64_t gen)
{
	search_index prev = a->search, *ix = &a->search;
	name_table names;
	index_ctx c;
	uint64_t nh;
	int rc;

	if (gen && ix->gen == gen && ix->kind == k->kind &&
	    !memcmp(ix->replica_id, r->replica_id, sizeof(ix->replica_id)))
		return 0;
	memset(ix, 0, sizeof(*ix));
	if (!gen || (rc = name_table_load(r, k, &names)) != 0) {
		search_index_free(&prev);
		return gen ? rc : HEARTH_EINVAL;
	}
	nh = names_hash(&names);
	c = (index_ctx){ .r = r, .names = &names, .k = k, .ix = ix };
	if (prev.gen && prev.kind == k->kind && prev.names_hash == nh &&
	    !memcmp(prev.replica_id, r->replica_id, sizeof(prev.replica_id)))
		c.prev = &prev;
	rc = replica_each_raw(r, k->kind, index_raw, &c);
	name_table_free(&names);
	search_index_free(&prev);
	if (rc != 0) {
		search_index_free(ix);
		return rc;
	}
	ix->gen = gen;
	ix->kind = k->kind;
	ix->names_hash = nh;
	memcpy(ix->replica_id, r->replica_id, sizeof(ix->replica_id));
	return 0;
}

/* A search through the index: counts the rows whose cells hold q and
 * builds the page's, reading only those records. */
static int search_indexed(web_api *a, list_ctx *l)
{
	const search_index *ix = &a->search;

	for (size_t i = 0; i < ix->n; i++) {
		Hearth__Record *rec;
		json_t *row;
		char idt[UUID_TEXT_LEN + 1];

		if (!strstr(ix->text + ix->start[i], l->q))
			continue;
		if (l->n++ < l->offset || l->shown >= WEB_LIST_PAGE)
			continue;
		if (replica_get(l->r, ix->id[i], &rec) != 0)
			continue;       /* deleted since the index was read */
		row = json_object();
		uuid_format(ix->id[i], idt);
		set_str(row, "id", idt);
		json_object_set_new(row, "fields", fields_json(l->r, l->k, record_body(rec), VALUE_MASKED));
		json_array_append_new(l->rows, row);
		l->shown++;
		hearth__record__free_unpacked(rec, NULL);
	}
	return 0;
}

static void do_records(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const kind_info *k = web_kind_arg(rq, an);
	list_ctx l;
	replica r;
	json_t *j;
	uint64_t gen = 0;
	int rc;

	if (!k || open_replica(a, &r, an) != 0)
		return;
	memset(&l, 0, sizeof(l));
	l.r = &r;
	l.k = k;
	l.q = rq->arg(rq->arg_ctx, "q");
	{
		const char *off = rq->arg(rq->arg_ctx, "offset");
		char *end;
		unsigned long long v = off && off[0] ? strtoull(off, &end, 10) : 0;
		if (off && off[0] && (*end || off[0] == '-' || v > 100000000ull)) {
			refuse(an, 400, NULL, "offset", _("\"offset\" must be a row number"));
			replica_close(&r);
			return;
		}
		l.offset = (size_t)v;
	}
	l.rows = json_array();
	/* Without a search only the page's records are read. With one, the
	 * kind's search index is searched (built at the first search since
	 * the replica changed); without an index (too large, or the replica's
	 * generation unknown) every record's cells are read. */
	if (l.q && l.q[0] && !strchr(l.q, '\x1f') && replica_generation(&r, &gen) == 0 &&
	    search_index_get(a, &r, k, gen) == 0) {
		rc = search_indexed(a, &l);
	} else if (l.q && l.q[0]) {
		name_table names;
		if ((rc = name_table_load(&r, k, &names)) == 0) {
			l.names = &names;
			rc = replica_each(&r, k->kind, 0, list_one, &l);
			name_table_free(&names);
		}
	} else {
		size_t total = 0;
		l.n = l.offset;     /* the page's first row is number offset */
		rc = replica_page(&r, k->kind, l.offset, WEB_LIST_PAGE, list_one, &l, &total);
		l.n = total;
	}
	if (rc != 0) {
		char msg[300];
		json_decref(l.rows);
		snprintf(msg, sizeof(msg), _("cannot read the local replica: %s"), hearth_strerror(rc));
		refuse(an, 500, NULL, NULL, msg);
	} else {
		j = json_object();
		set_str(j, "kind", k->name);
		json_object_set_new(j, "rows", l.rows);
		json_object_set_new(j, "total", json_integer((json_int_t)l.n));
		json_object_set_new(j, "offset", json_integer((json_int_t)l.offset));
		answer(an, 200, j);
	}
	replica_close(&r);
}

static int id_from(const char *text, uint8_t id[UUID_LEN])
{
	return text && uuid_parse(text, id) == 0 ? 0 : HEARTH_EINVAL;
}

/* Loads the record named by text. On failure the answer is filled. */
static int load_record(replica *r, const char *text, Hearth__Record **rec, const kind_info **k,
                       web_api_answer *an)
{
	uint8_t id[UUID_LEN];
	char msg[200];

	*rec = NULL;
	if (id_from(text, id) != 0) {
		snprintf(msg, sizeof(msg), _("id \"%s\" is not a record id"), text ? text : "");
		refuse(an, 400, NULL, "id", msg);
		return HEARTH_EINVAL;
	}
	if (replica_get(r, id, rec) != 0 || !(*k = kind_find((*rec)->kind))) {
		if (*rec)
			hearth__record__free_unpacked(*rec, NULL);
		*rec = NULL;
		snprintf(msg, sizeof(msg), _("no record %s in the local replica"), text);
		refuse(an, 404, NULL, NULL, msg);
		return HEARTH_ENOTFOUND;
	}
	return 0;
}

static json_t *record_json(replica *r, const kind_info *k, const Hearth__Record *rec, value_view view)
{
	json_t *j = json_object();
	char idt[UUID_TEXT_LEN + 1];
	replica_rejected_item rej;

	uuid_format(rec->id.data, idt);
	set_str(j, "id", idt);
	set_str(j, "kind", k->name);
	set_str(j, "kind_label", k->label);
	json_object_set_new(j, "rev", json_integer((json_int_t)rec->rev));
	json_object_set_new(j, "deleted", json_boolean(rec->deleted));
	set_str(j, "updated_by", rec->updated_by);
	{
		json_t *fields = fields_json(r, k, record_body(rec), view);
		read_only_json(rec, j, fields);
		json_object_set_new(j, "fields", fields);
	}
	if (replica_rejected_get(r, rec->id.data, &rej) == 0)
		set_str(j, "rejected", rej.reason);
	return j;
}

static void do_record(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	Hearth__Record *rec;
	const kind_info *k;
	replica r;

	if (open_replica(a, &r, an) != 0)
		return;
	if (load_record(&r, rq->arg(rq->arg_ctx, "id"), &rec, &k, an) == 0) {
		answer(an, 200, record_json(&r, k, rec, VALUE_MASKED));
		hearth__record__free_unpacked(rec, NULL);
	}
	replica_close(&r);
}

typedef struct members_ctx {
	const char *q;
	json_t *arr;
	size_t n;
} members_ctx;

static int member_one(void *ctx, const Hearth__Record *rec)
{
	members_ctx *m = ctx;
	const char *name = rec->member && rec->member->name ? rec->member->name : "";
	char idt[UUID_TEXT_LEN + 1];
	json_t *o;

	if (m->q && m->q[0] && !strstr(name, m->q))
		return 0;
	o = json_object();
	uuid_format(rec->id.data, idt);
	set_str(o, "id", idt);
	set_str(o, "name", name);
	if (rec->member && rec->member->birth_date)
		set_str(o, "birth_date", rec->member->birth_date);
	json_array_append_new(m->arr, o);
	return ++m->n >= WEB_MEMBERS_MAX;
}

/* Answers a list walked from the replica: the list, or, when the walk
 * failed part-way, a 500 naming the failure rather than a list that looks
 * complete and is not (a missing rejected edit would look like none). */
static void answer_list(web_api_answer *an, int rc, json_t *arr)
{
	char why[300];

	if (rc == 0) {
		answer(an, 200, arr);
		return;
	}
	json_decref(arr);
	snprintf(why, sizeof(why), _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
	refuse(an, 500, NULL, NULL, why);
}

static void do_members(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	members_ctx m = { .q = rq->arg(rq->arg_ctx, "q"), .arr = json_array() };
	replica r;
	int rc;

	if (open_replica(a, &r, an) != 0) {
		json_decref(m.arr);
		return;
	}
	rc = replica_each(&r, HEARTH__KIND__KIND_MEMBER, 0, member_one, &m);
	replica_close(&r);
	answer_list(an, rc, m.arr);
}

typedef struct conflicts_ctx {
	replica *r;
	json_t *arr;
} conflicts_ctx;

static int conflict_one(void *ctx, const Hearth__Conflict *c)
{
	conflicts_ctx *x = ctx;
	const kind_info *k = kind_find(c->kind);
	int op_mine = resolve_mine_is_op(x->r, c);
	json_t *o = json_object(), *fields = json_array();
	char idt[UUID_TEXT_LEN + 1] = "", rid[UUID_TEXT_LEN + 1] = "";

	if (c->id.len == UUID_LEN)
		uuid_format(c->id.data, idt);
	if (c->record_id.len == UUID_LEN)
		uuid_format(c->record_id.data, rid);
	set_str(o, "id", idt);
	set_str(o, "record", rid);
	set_str(o, "kind", k ? k->name : "");
	set_str(o, "kind_label", k ? k->label : "");
	set_str(o, "server_by", c->server_by);
	set_str(o, "op_by", c->op_by);
	json_object_set_new(o, "delete_conflict", json_boolean(c->delete_conflict));
	for (size_t i = 0; i < c->n_fields; i++) {
		const Hearth__ConflictField *f = c->fields[i];
		const field_rule *rule = k ? kind_rule(k, f->field) : NULL;
		const ProtobufCBinaryData *mine = op_mine ? &f->op_value : &f->server_value;
		const ProtobufCBinaryData *theirs = op_mine ? &f->server_value : &f->op_value;
		/* Masked like every listing: a conflict must not show what 显示 would. */
		char *m = value_field_view(k, f->field, mine->data, mine->len, VALUE_MASKED);
		char *t = value_field_view(k, f->field, theirs->data, theirs->len, VALUE_MASKED);
		json_t *fo = json_object();
		set_str(fo, "name", f->name);
		set_str(fo, "label", rule && rule->label ? rule->label : f->name);
		set_str(fo, "mine", m ? m : "");
		set_str(fo, "theirs", t ? t : "");
		free(m);
		free(t);
		json_array_append_new(fields, fo);
	}
	json_object_set_new(o, "fields", fields);
	json_array_append_new(x->arr, o);
	return 0;
}

static void do_conflicts(web_api *a, web_api_answer *an)
{
	conflicts_ctx x;
	replica r;
	int rc;

	if (open_replica(a, &r, an) != 0)
		return;
	x.r = &r;
	x.arr = json_array();
	rc = replica_each_conflict(&r, conflict_one, &x);
	replica_close(&r);
	answer_list(an, rc, x.arr);
}

typedef struct rejected_ctx {
	replica *r;
	json_t *arr;
} rejected_ctx;

static int rejected_one(void *ctx, const replica_rejected_item *it)
{
	rejected_ctx *x = ctx;
	const kind_info *k = kind_find(it->kind);
	json_t *o = json_object();
	char idt[UUID_TEXT_LEN + 1];
	const field_rule *rule = NULL;
	Hearth__Record *rec = NULL;
	char said[640];

	uuid_format(it->id, idt);
	set_str(o, "id", idt);
	set_str(o, "kind", k ? k->name : "");
	set_str(o, "kind_label", k ? k->label : "");
	/* The server's reason, in the person's language, as 'hearth rejected'
	 * shows it. */
	set_str(o, "reason", reasons_localize(k, it->reason, said, sizeof(said)));
	set_str(o, "field", it->field);
	if (k && it->field[0]) {
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field_by_name(k->desc, it->field);
		rule = fd ? kind_rule(k, fd->id) : NULL;
	}
	set_str(o, "label", rule && rule->label ? rule->label : it->field);
	json_object_set_new(o, "deleting", json_boolean(it->deleting));
	json_object_set_new(o, "at_ms", json_integer(it->rejected_at_ms));
	if (k && replica_get(x->r, it->id, &rec) == 0) {
		json_object_set_new(o, "fields", fields_json(x->r, k, record_body(rec), VALUE_MASKED));
		hearth__record__free_unpacked(rec, NULL);
	}
	json_array_append_new(x->arr, o);
	return 0;
}

static void do_rejected(web_api *a, web_api_answer *an)
{
	rejected_ctx x;
	replica r;
	int rc;

	if (open_replica(a, &r, an) != 0)
		return;
	x.r = &r;
	x.arr = json_array();
	rc = replica_rejected_each(&r, rejected_one, &x);
	replica_close(&r);
	answer_list(an, rc, x.arr);
}

static void do_sync(web_api *a, web_api_answer *an)
{
	web_sync_summary s;
	json_t *j;

	memset(&s, 0, sizeof(s));
	if (a->sync_watch)
		a->sync_watch(a->sync_watch_arg, &s);
	if (!a->sync || a->sync(a->sync_arg, &s) != 0) {
		if (a->sync_watch)
			a->sync_watch(a->sync_watch_arg, NULL);
		refuse(an, 500, NULL, NULL, s.message[0] ? s.message : _("sync could not start"));
		return;
	}
	if (a->sync_watch)
		a->sync_watch(a->sync_watch_arg, NULL);
	j = json_object();
	json_object_set_new(j, "ok", json_boolean(s.ok));
	json_object_set_new(j, "pushed", json_integer((json_int_t)s.pushed));
	json_object_set_new(j, "applied", json_integer((json_int_t)s.applied));
	json_object_set_new(j, "merged", json_integer((json_int_t)s.merged));
	json_object_set_new(j, "conflicts", json_integer((json_int_t)s.conflicts));
	json_object_set_new(j, "rejected", json_integer((json_int_t)s.rejected));
	json_object_set_new(j, "pulled", json_integer((json_int_t)s.pulled));
	set_str(j, "message", s.message);
	answer(an, 200, j);
}

/* The POST body as a JSON object, or NULL with the answer filled. */
static json_t *body_json(const web_api_request *rq, web_api_answer *an)
{
	json_error_t e;
	json_t *j = rq->body ? json_loadb(rq->body, rq->body_len, 0, &e) : NULL;
	char msg[300];

	if (!j || !json_is_object(j)) {
		json_decref(j);
		snprintf(msg, sizeof(msg), _("the request body is not a JSON object%s%s"),
		         rq->body ? ": " : "", rq->body ? e.text : "");
		refuse(an, 400, NULL, NULL, msg);
		return NULL;
	}
	return j;
}

/* Adds (no id) or edits a record from the form's fields: each through
 * field_input_apply, then the kind's validation, the rules that need other
 * records, and replica_edit, as `hearth KIND add|edit` does. */
static void do_save(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = body_json(rq, an), *fields, *v;
	const kind_info *k = NULL;
	Hearth__Record *rec = NULL, *before = NULL;
	ProtobufCMessage *body;
	const char *id_text, *name;
	record_error rerr;
	replica r;
	char branch[128], why[700], err[1200] = "", idt[UUID_TEXT_LEN + 1];
	int create, rc, opened = 0;

	if (!j)
		return;
	id_text = json_string_value(json_object_get(j, "id"));
	create = !id_text || !id_text[0];
	fields = json_object_get(j, "fields");
	if (!json_is_object(fields)) {
		refuse(an, 400, NULL, "fields", _("\"fields\" must be an object of field name to text"));
		goto done;
	}
	if (open_replica(a, &r, an) != 0)
		goto done;
	opened = 1;
	if (create) {
		const char *kn = json_string_value(json_object_get(j, "kind"));
		k = kn ? kind_by_name(kn) : NULL;
		if (!k) {
			refuse(an, 400, NULL, "kind", _("\"kind\" names no kind of record"));
			goto done;
		}
		if (a->id_ok && a->id.role == HEARTH__ROLE__ROLE_AUDITOR) {
			refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
			goto done;
		}
		own_branch(a, &r, branch, sizeof(branch));
		{
			/* A general branch (or an admin) names the branch below it
			 * the record belongs to; the scope decides here and the
			 * server again. */
			const char *chosen = json_string_value(json_object_get(j, "branch"));
			if (chosen && chosen[0]) {
				rc = replica_scope_check(&r, chosen, why, sizeof(why));
				if (rc != 0) {
					refuse(an, rc == 1 ? 422 : 500, NULL, "branch", rc == 1 ? why : hearth_strerror(rc));
					goto done;
				}
				snprintf(branch, sizeof(branch), "%s", chosen);
			}
		}
		if (!branch[0]) {
			refuse(an, 400, NULL, NULL, _("this profile's certificate names no branch; the web app "
			                              "adds records for a branch certificate only"));
			goto done;
		}
		rec = malloc(sizeof(*rec));
		if (!rec)
			goto oom;
		hearth__record__init(rec);
		rec->id.data = malloc(UUID_LEN);
		rec->branch_id = strdup(branch);
		if (!rec->id.data || !rec->branch_id || record_set_body(rec, k, NULL, 0) != 0)
			goto oom;
		rec->id.len = UUID_LEN;
		if (uuid_v7(rec->id.data) != 0) {
			refuse(an, 500, NULL, NULL, _("no randomness available for a new id"));
			goto done;
		}
	} else if (load_record(&r, id_text, &rec, &k, an) != 0) {
		goto done;
	} else if (replica_get(&r, rec->id.data, &before) != 0) {
		before = NULL;
	}
	body = (ProtobufCMessage *)record_body(rec);
	if (!body)
		goto oom;
	json_object_foreach(fields, name, v) {
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field_by_name(k->desc, name);
		const field_rule *rule = fd ? kind_rule(k, fd->id) : NULL;
		const char *text = json_string_value(v);

		if (!fd || !field_input_supported(fd, rule) || !text) {
			snprintf(why, sizeof(why), _("field \"%s\" cannot be set here (unknown, or not text)"), name);
			refuse(an, 422, k, fd ? name : NULL, why);
			goto done;
		}
		why[0] = '\0';
		rc = field_input_apply(body, &(field_input){ .rep = &r, .fd = fd, .rule = rule, .text = text },
		                       why, sizeof(why));
		if (rc == HEARTH_ENOMEM)
			goto oom;
		if (rc != 0) {
			refuse(an, 422, k, name, why);
			goto done;
		}
	}
	memset(&rerr, 0, sizeof(rerr));
	if (record_validate_message(k, body, &rerr) != 0) {
		refuse(an, 422, k, rerr.field, rerr.message);
		goto done;
	}
	rc = local_rules_check(&r, k, rec->id.data, rec->branch_id ? rec->branch_id : "", body,
	                       before ? record_body(before) : NULL, &rerr);
	if (rc == HEARTH_EINVAL) {
		refuse(an, 422, k, rerr.field, rerr.message);
		goto done;
	}
	if (rc != 0) {
		snprintf(why, sizeof(why), _("cannot read the local replica: %s"), hearth_strerror(rc));
		refuse(an, 500, NULL, NULL, why);
		goto done;
	}
	rc = replica_edit(&r, rec, create, err, sizeof(err));
	if (rc != 0) {
		refuse(an, rc == HEARTH_EINVAL ? 422 : 500, NULL, NULL, err[0] ? err : hearth_strerror(rc));
		goto done;
	}
	uuid_format(rec->id.data, idt);
	{
		json_t *o = json_object();
		set_str(o, "id", idt);
		answer(an, 200, o);
	}
	goto done;
oom:
	refuse(an, 500, NULL, NULL, _("out of memory"));
done:
	if (before)
		hearth__record__free_unpacked(before, NULL);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	if (opened)
		replica_close(&r);
	json_decref(j);
}

static void do_delete(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = body_json(rq, an);
	uint8_t id[UUID_LEN];
	char err[1200] = "";
	replica r;

	if (!j)
		return;
	if (id_from(json_string_value(json_object_get(j, "id")), id) != 0) {
		refuse(an, 400, NULL, "id", _("\"id\" is not a record id"));
	} else if (open_replica(a, &r, an) == 0) {
		/* The CLI's rule: a member others refer to goes only when the person
		 * confirms it ("confirm_referenced": true), and is told what refers. */
		int confirmed = json_is_true(json_object_get(j, "confirm_referenced"));
		ref_summary sum;

		ref_summary_init(&sum);
		if (!confirmed && replica_referencing(&r, id, &sum) != 0) {
			refuse(an, 500, NULL, NULL, _("cannot read the local replica"));
		} else if (!confirmed && sum.total) {
			char list[600];
			ref_summary_format(&sum, list, sizeof(list));
			snprintf(err, sizeof(err),
			         P_("other records refer to this member (%zu: %s); confirm to delete anyway",
			            "other records refer to this member (%zu: %s); confirm to delete anyway",
			            sum.total),
			         sum.total, list);
			refuse(an, 409, NULL, "confirm_referenced", err);
		} else if (replica_delete(&r, id, &(replica_delete_opts){ .confirm_referenced = confirmed }, err,
		                          sizeof(err)) != 0) {
			refuse(an, 422, NULL, NULL, err[0] ? err : _("the local replica refused the delete"));
		} else {
			answer(an, 200, json_object());
		}
		replica_close(&r);
	}
	json_decref(j);
}

/* 显示: the reveal event is queued before any value leaves, as `show
 * --reveal` does, so nothing is shown unrecorded. */
static void do_reveal(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = body_json(rq, an);
	Hearth__Record *rec = NULL;
	const kind_info *k;
	event_list ev = { 0 };
	replica r;
	int rc;

	if (!j)
		return;
	if (open_replica(a, &r, an) != 0) {
		json_decref(j);
		return;
	}
	if (load_record(&r, json_string_value(json_object_get(j, "id")), &rec, &k, an) != 0)
		goto done;
	rc = event_list_add(&ev, "reveal", k, rec->id.data, rec->branch_id, record_body(rec), 0,
	                    "ui reveal");
	if (rc == 0 && ev.n)
		rc = replica_queue_events(&r, ev.ev, ev.n);
	if (rc != 0) {
		char msg[300];
		snprintf(msg, sizeof(msg), _("cannot record the reveal in the local replica (%s); "
		                             "nothing was shown"), hearth_strerror(rc));
		refuse(an, 500, NULL, NULL, msg);
		goto done;
	}
	answer(an, 200, record_json(&r, k, rec, VALUE_REVEALED));
done:
	event_list_free(&ev);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	replica_close(&r);
	json_decref(j);
}

void web_resolve_set(replica *r, const Hearth__Conflict *cf, json_t *set, web_api_answer *an)
{
	resolve_value vals[64];
	const char *name, *bad = NULL;
	char err[1400];
	json_t *v;
	size_t n = 0;

	json_object_foreach(set, name, v) {
		if (n < HEARTH_ARRAY_LEN(vals) && json_is_string(v))
			vals[n++] = (resolve_value){ .field = name, .text = json_string_value(v) };
	}
	if (resolve_set(r, cf, vals, n, &bad, err, sizeof(err)) != 0)
		refuse(an, 422, kind_find(cf->kind), bad, err);
	else
		answer(an, 200, json_object());
}

static void do_resolve(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = body_json(rq, an);
	const char *id, *keep;
	json_t *set;
	Hearth__Conflict *cf = NULL;
	char err[1400];
	replica r;

	if (!j)
		return;
	id = json_string_value(json_object_get(j, "id"));
	keep = json_string_value(json_object_get(j, "keep"));
	set = json_object_get(j, "set");
	if (set ? !json_is_object(set) || keep
	        : !keep || (strcmp(keep, "mine") && strcmp(keep, "theirs"))) {
		refuse(an, 400, NULL, "keep", _("say \"keep\": \"mine\" or \"theirs\", or \"set\": "
		                                "{field: value} for 改为…"));
		json_decref(j);
		return;
	}
	if (open_replica(a, &r, an) != 0) {
		json_decref(j);
		return;
	}
	if (!id || replica_get_conflict(&r, id, &cf, err, sizeof(err)) != 0) {
		refuse(an, 404, NULL, "id", id ? err : _("\"id\" names no conflict"));
	} else if (set) {
		web_resolve_set(&r, cf, set, an);
	} else if (resolve_keep(&r, cf, !strcmp(keep, "mine") ? RESOLVE_KEEP_MINE : RESOLVE_KEEP_THEIRS,
	                        err, sizeof(err)) != 0) {
		refuse(an, 422, NULL, NULL, err);
	} else {
		answer(an, 200, json_object());
	}
	if (cf)
		hearth__conflict__free_unpacked(cf, NULL);
	replica_close(&r);
	json_decref(j);
}

static void do_discard(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = body_json(rq, an);
	uint8_t id[UUID_LEN];
	char err[600] = "";
	replica r;

	if (!j)
		return;
	if (id_from(json_string_value(json_object_get(j, "id")), id) != 0) {
		refuse(an, 400, NULL, "id", _("\"id\" is not a record id"));
	} else if (open_replica(a, &r, an) == 0) {
		if (replica_rejected_discard(&r, id, NULL, err, sizeof(err)) != 0)
			refuse(an, 404, NULL, NULL, err);
		else
			answer(an, 200, json_object());
		replica_close(&r);
	}
	json_decref(j);
}

void web_api_handle(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *p = rq->path;

	an->status = 500;
	an->json = NULL;
	if (!rq->post) {
		if (!strcmp(p, "/api/session"))
			do_session(a, an);
		else if (!strcmp(p, "/api/kinds"))
			do_kinds(an);
		else if (!strcmp(p, "/api/home"))
			do_home(a, an);
		else if (!strcmp(p, "/api/records"))
			do_records(a, rq, an);
		else if (!strcmp(p, "/api/record"))
			do_record(a, rq, an);
		else if (!strcmp(p, "/api/members"))
			do_members(a, rq, an);
		else if (!strcmp(p, "/api/conflicts"))
			do_conflicts(a, an);
		else if (!strcmp(p, "/api/rejected"))
			do_rejected(a, an);
		else
			refuse(an, 404, NULL, NULL, _("no such API route"));
		return;
	}
	if (!strcmp(p, "/api/sync"))
		do_sync(a, an);
	else if (!strcmp(p, "/api/save"))
		do_save(a, rq, an);
	else if (!strcmp(p, "/api/delete"))
		do_delete(a, rq, an);
	else if (!strcmp(p, "/api/reveal"))
		do_reveal(a, rq, an);
	else if (!strcmp(p, "/api/resolve"))
		do_resolve(a, rq, an);
	else if (!strcmp(p, "/api/discard"))
		do_discard(a, rq, an);
	else
		refuse(an, 404, NULL, NULL, _("no such API route"));
}

/* ------------------------------------------------- lent to web_pages.c */

json_t *web_jstr(const char *s)
{
	return jstr(s);
}

void web_answer(web_api_answer *an, unsigned status, json_t *j)
{
	answer(an, status, j);
}

void web_refuse(web_api_answer *an, unsigned status, const kind_info *k, const char *field,
                const char *sentence)
{
	refuse(an, status, k, field, sentence);
}

int web_open_replica(web_api *a, replica *r, web_api_answer *an)
{
	return open_replica(a, r, an);
}

json_t *web_fields_json(replica *r, const kind_info *k, const ProtobufCMessage *body, value_view view)
{
	return fields_json(r, k, body, view);
}

json_t *web_body_json(const web_api_request *rq, web_api_answer *an)
{
	return body_json(rq, an);
}

int web_load_record(replica *r, const char *text, Hearth__Record **rec, const kind_info **k,
                    web_api_answer *an)
{
	return load_record(r, text, rec, k, an);
}

void web_own_branch(web_api *a, replica *r, char *out, size_t cap)
{
	own_branch(a, r, out, cap);
}

int web_is_auditor(const web_api *a)
{
	return a->id_ok && a->id.role == HEARTH__ROLE__ROLE_AUDITOR;
}
