/* web_api_lend.h: what web_api.c lends the other route files of `hearth
 * ui` (web_pages.c), so every answer is built, refused and read from the
 * replica one way. Defined at the end of web_api.c. */
#ifndef HEARTH_WEB_API_LEND_H
#define HEARTH_WEB_API_LEND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "common/due.h"
#include "client/core/values.h"
#include "common/record.h"

/* The types of web_api.h, declared again rather than included, so this
 * header (web_api.c's) is not a second way into web_api.h. */
typedef struct web_api web_api;
typedef struct web_api_answer web_api_answer;
typedef struct web_api_request web_api_request;

/* A JSON string of s ("" for NULL or text that is not UTF-8). New reference. */
json_t *web_jstr(const char *s);

/* Fills an with status and j (consumed; NULL: out of memory). */
void web_answer(web_api_answer *an, unsigned status, json_t *j);

/* A refusal {"error", "field", "label"} the page shows next to field
 * (NULL: at the top); k names the field's label. */
void web_refuse(web_api_answer *an, unsigned status, const kind_info *k, const char *field,
                const char *sentence);

/* Opens the profile's replica; on failure fills an (500) and returns -1. */
int web_open_replica(web_api *a, replica *r, web_api_answer *an);

/* The kind named by the request's "kind" argument, or NULL with a 400
 * naming what was given. */
const kind_info *web_kind_arg(const web_api_request *rq, web_api_answer *an);

/* 改为…: records the resolution of cf that sets its fields to set's values
 * ({field: text}, typed as people type them: 元, names, labels — the
 * field_input parsers), answering 200, or 422 naming the field refused. */
void web_resolve_set(replica *r, const Hearth__Conflict *cf, json_t *set, web_api_answer *an);

/* A record body's settable fields as the record page shows them (labels,
 * text masked unless view, names for references). New reference. */
json_t *web_fields_json(replica *r, const kind_info *k, const ProtobufCMessage *body, value_view view);

/* The POST body as a JSON object (new reference), or NULL with an filled. */
json_t *web_body_json(const web_api_request *rq, web_api_answer *an);

/* Loads the record named by id text; on failure fills an and returns
 * nonzero. *rec is the caller's (hearth__record__free_unpacked). */
int web_load_record(replica *r, const char *text, Hearth__Record **rec, const kind_info **k,
                    web_api_answer *an);

/* The branch this replica writes ("" for an admin or auditor replica). */
void web_own_branch(web_api *a, replica *r, char *out, size_t cap);

/* A computed answer kept until the replica changes. web_cache_answer sets
 * *gen to r's generation (replica_meta.h; 0 when it cannot be read) and,
 * when an answer for key was kept at that generation of that replica,
 * fills an with a copy (the caller's, as every answer) and returns 1; it
 * returns 0 otherwise. web_cache_keep keeps a copy of a 200 answer for key
 * at gen (the one web_cache_answer gave, read before the records were);
 * it keeps nothing for gen 0. key names everything else the answer
 * depends on (arguments, today), under 256 bytes. One at a time, under the
 * server's API lock, as every route. */
int web_cache_answer(web_api *a, replica *r, const char *key, uint64_t *gen, web_api_answer *an);
void web_cache_keep(web_api *a, replica *r, const char *key, uint64_t gen, const web_api_answer *an);

/* The records of every branch in r, as due_snapshot_load(r, NULL) would
 * read them, kept between requests and brought up to date (due_keep.h):
 * *snap is borrowed until the next call or web_api_free (a route that
 * wants one branch takes a due_snapshot_view). Returns 0, or the error of
 * reading the replica with *snap NULL. Under the server's API lock, as
 * every route. */
int web_due_snapshot(web_api *a, replica *r, const due_snapshot **snap);

/* Whether the profile's certificate is an auditor's (who only reads). */
int web_is_auditor(const web_api *a);

#endif
