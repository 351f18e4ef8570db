/* sync.c: the sync engine, moving a replica's changes to and from hearthd:
 * push the outbox, report events, pull pages, check the digest.
 *
 * Fault injection for tests: the environment variable HEARTH_FAULT makes
 * `hearth sync` kill itself with SIGKILL at a chosen point, so integration
 * tests can prove that a cut at any point loses and doubles nothing:
 *   push-ack:N   after receiving the N-th PushResponse, before applying it
 *   pull-recv:N  after receiving the N-th pull page, before applying it
 *   pull-page:N  after applying (committing) the N-th pull page
 * Counts start at 1 and run over the whole process (a re-pull continues
 * counting). Anything else in HEARTH_FAULT is ignored. */
#include "client/core/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "client/core/attachment_transfer.h"
#include "client/core/attachments.h"
#include "client/core/branch_lookup.h"
#include "client/core/events.h"
#include "client/core/replica_meta.h"
#include "client/core/replica_recovery.h"
#include "client/core/replica_sync.h"
#include "common/arena.h"
#include "common/envelope.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

/* ---------------------------------------------------------- fault injection */

enum fault_point { FAULT_NONE, FAULT_PUSH_ACK, FAULT_PULL_RECV, FAULT_PULL_PAGE };

typedef sync_fault fault;

static void fault_parse(fault *f)
{
	const char *s = getenv("HEARTH_FAULT");
	static const struct {
		const char *prefix;
		enum fault_point point;
	} names[] = { { "push-ack:", FAULT_PUSH_ACK },
		      { "pull-recv:", FAULT_PULL_RECV },
		      { "pull-page:", FAULT_PULL_PAGE } };

	f->point = FAULT_NONE;
	f->n = 0;
	for (size_t i = 0; s && i < HEARTH_ARRAY_LEN(names); i++) {
		size_t pl = strlen(names[i].prefix);
		if (!strncmp(s, names[i].prefix, pl) && atol(s + pl) > 0) {
			f->point = names[i].point;
			f->n = atol(s + pl);
		}
	}
}

/* Dies the way a power cut or `kill -9` would: no cleanup, no flush of
 * anything LMDB has not committed. */
static void fault_hit(const fault *f, enum fault_point point, long count)
{
	if (f->point == (int)point && f->n == count) {
		fflush(stdout);
		fflush(stderr);
		raise(SIGKILL);
	}
}

/* ---------------------------------------------------------- reporting */

static void progress_show(sync_progress *p)
{
	if (p->hooks->progress)
		p->hooks->progress(p->hooks->arg, p->what, p->done, p->total);
}

static void progress_clear(sync_progress *p)
{
	if (p->hooks->progress_end)
		p->hooks->progress_end(p->hooks->arg);
}

static void notice(sync_ctx *x, const char *text)
{
	progress_clear(&x->prog);
	if (x->hooks.notice)
		x->hooks.notice(x->hooks.arg, text);
}

static sync_result server_refused(sync_ctx *x, const char *what, const Hearth__Envelope *resp)
{
	progress_clear(&x->prog);
	if (x->hooks.refused)
		x->hooks.refused(x->hooks.arg, what, resp);
	return SYNC_REFUSED;
}

static sync_result lost(sync_ctx *x)
{
	progress_clear(&x->prog);
	return SYNC_LOST;
}

/* One sentence into err for the caller; always SYNC_FAILED. */
static sync_result failed(sync_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static sync_result failed(sync_ctx *x, const char *fmt, ...)
{
	va_list ap;

	progress_clear(&x->prog);
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	return SYNC_FAILED;
}

static void report_rejected(sync_ctx *x, const Hearth__Op *op, const Hearth__OpResult *res)
{
	progress_clear(&x->prog);
	if (x->hooks.rejected)
		x->hooks.rejected(x->hooks.arg, op, res);
}

/* Push: the outbox in batches, oldest first, one op per record per batch;
 * every result is stored (op leaves the outbox) in the same transaction as
 * the server copy it produced, so a cut between batches or even between
 * results resends only ops without a stored result, and the server answers
 * those DUPLICATE. */
static int do_push(sync_ctx *x)
{
	replica_status st;
	char err[1200];
	int rc;

	if (replica_status_brief(&x->r, &st) != 0)
		st.pending_ops = 0;
	x->prog.what = N_("pushing");
	x->prog.done = 0;
	x->prog.total = st.pending_ops;
	for (;;) {
		Hearth__Op **ops = NULL;
		uint64_t *keys = NULL;
		size_t n = 0;
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__PushRequest push = HEARTH__PUSH_REQUEST__INIT;
		Hearth__PushResponse *pr;

		rc = replica_next_batch(&x->r, x->batch, &ops, &keys, &n);
		if (rc != 0)
			return failed(x, _("cannot read the outbox: %s"), _(hearth_strerror(rc)));
		if (n == 0)
			break;
		if (x->prog.total < x->prog.done + n)
			x->prog.total = x->prog.done + n;
		progress_show(&x->prog);
		push.n_ops = n;
		push.ops = ops;
		req.body_case = HEARTH__ENVELOPE__BODY_PUSH;
		req.push = &push;
		if (session_call(&x->s, &req, &resp) != 0) {
			replica_ops_free(ops, keys, n);
			return lost(x);
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_PUSH_RESULT) {
			rc = server_refused(x, "push", resp);
			goto batch_fail;
		}
		x->push_acks++;
		fault_hit(&x->fault, FAULT_PUSH_ACK, x->push_acks);
		pr = resp->push_result;
		if (pr->n_results != n) {
			rc = failed(x, _("the server answered %zu ops with %zu results"), n, pr->n_results);
			goto batch_fail;
		}
		if (x->hooks.push_checkpoint && x->hooks.push_checkpoint(x->hooks.arg, pr->checkpoint) != 0) {
			rc = SYNC_WITNESS;
			goto batch_fail;
		}
		for (size_t i = 0; i < n; i++) {
			const Hearth__OpResult *res = pr->results[i];
			if (res->op_id.len != ops[i]->op_id.len ||
			    memcmp(res->op_id.data, ops[i]->op_id.data, res->op_id.len) != 0) {
				rc = failed(x, _("the server's results are not in the order of the ops sent"));
				goto batch_fail;
			}
			switch (res->status) {
			case HEARTH__OP_STATUS__OP_APPLIED: x->applied++; break;
			case HEARTH__OP_STATUS__OP_MERGED: x->merged++; break;
			case HEARTH__OP_STATUS__OP_CONFLICT: x->conflicts++; break;
			case HEARTH__OP_STATUS__OP_DUPLICATE: x->duplicate++; break;
			case HEARTH__OP_STATUS__OP_REJECTED:
				x->rejected++;
				report_rejected(x, ops[i], res);
				break;
			default: break;
			}
			if (replica_apply_result(&x->r, keys[i], ops[i], res, err, sizeof(err)) != 0) {
				rc = failed(x, "%s", err);
				goto batch_fail;
			}
			x->pushed++;
		}
		x->prog.done += n;
		progress_show(&x->prog);
		envelope_free(resp, NULL);
		replica_ops_free(ops, keys, n);
		continue;
batch_fail:
		envelope_free(resp, NULL);
		replica_ops_free(ops, keys, n);
		return rc;
	}
	progress_clear(&x->prog);
	return SYNC_OK;
}

/* Recovery: one RecoverRequest of recs[0..n) (with the entries this
 * replica witnessed; those after restored_size are in the lost log), its
 * receipt pinned before anything else, its results counted. */
/* The audit entries of recs[0..n) whose leaves this replica verified as a
 * witness: into ents (n slots; the caller frees each with
 * hearth__audit_entry__free_unpacked), returning how many. An entry whose
 * bytes do not give the verified leaf is left out: it is no evidence. */
static size_t witnessed_entries(sync_ctx *x, Hearth__Record **recs, size_t n, uint64_t restored_size,
                                Hearth__AuditEntry **ents)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		Hearth__AuditEntry *e = NULL;
		uint8_t saw[AUDIT_HASH_LEN], leaf[AUDIT_HASH_LEN];

		if (recs[i]->id.len != UUID_LEN || replica_entry_get(&x->r, recs[i]->id.data, recs[i]->rev, &e) != 0)
			continue;
		if (replica_seen_leaf(&x->r, e->seq, e->seq > restored_size, saw) != 0 || audit_leaf(e, leaf) != 0 ||
		    memcmp(saw, leaf, AUDIT_HASH_LEN) != 0) {
			hearth__audit_entry__free_unpacked(e, NULL);
			continue;
		}
		ents[k++] = e;
	}
	return k;
}

static sync_result recover_batch(sync_ctx *x, Hearth__Record **recs, size_t n, uint64_t restored_size)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__RecoverRequest rq = HEARTH__RECOVER_REQUEST__INIT;
	Hearth__RecoverResponse *rr;
	Hearth__AuditEntry **ents = calloc(n ? n : 1, sizeof(*ents));
	char line[900];
	sync_result rc = SYNC_OK;

	if (!ents)
		return failed(x, "%s", _("out of memory while preparing the recovery"));
	rq.n_witnessed = witnessed_entries(x, recs, n, restored_size, ents);
	rq.witnessed = ents;
	x->recover_witnessed += rq.n_witnessed;
	rq.n_records = n;
	rq.records = recs;
	req.body_case = HEARTH__ENVELOPE__BODY_RECOVER;
	req.recover = &rq;
	if (session_call(&x->s, &req, &resp) != 0) {
		rc = lost(x);
		goto done;
	}
	if (resp->body_case != HEARTH__ENVELOPE__BODY_RECOVER_RESULT) {
		rc = server_refused(x, "recovery", resp);
		goto done;
	}
	rr = resp->recover_result;
	if (rr->n_results != n) {
		rc = failed(x, _("the server answered %zu re-pushed records with %zu results"), n, rr->n_results);
		goto done;
	}
	if (x->hooks.push_checkpoint && x->hooks.push_checkpoint(x->hooks.arg, rr->checkpoint) != 0) {
		rc = SYNC_WITNESS;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const Hearth__RecoverResult *res = rr->results[i];
		x->recover_sent++;
		switch (res->status) {
		case HEARTH__RECOVER_STATUS__RECOVER_RESTORED: x->recovered++; break;
		case HEARTH__RECOVER_STATUS__RECOVER_PRESENT: x->recover_present++; break;
		default: {
			const kind_info *k = kind_find(recs[i]->kind);
			char idt[UUID_TEXT_LEN + 1] = "?";
			if (recs[i]->id.len == UUID_LEN)
				uuid_format(recs[i]->id.data, idt);
			x->recover_refused++;
			snprintf(line, sizeof(line), _("the server refused the recovered %s %s: %s"),
			         k ? k->name : "record", idt,
			         res->error && res->error->message[0] ? res->error->message : _("no reason given"));
			notice(x, line);
		}
		}
	}
done:
	for (size_t i = 0; i < rq.n_witnessed; i++)
		hearth__audit_entry__free_unpacked(ents[i], NULL);
	free(ents);
	envelope_free(resp, NULL);
	return rc;
}

/* Recovery after a restore notice was accepted: every server copy in
 * scope the restored server lacks goes back to it, oldest first (so the
 * records others point at arrive before them), then the pull starts over
 * from the restore point, which brings every replica's recovered records.
 * Nothing of the replica is dropped on the way; a refusal keeps the
 * recovery pending for the next sync. */
static sync_result do_recover(sync_ctx *x)
{
	Hearth__RestoreNotice *n = NULL;
	Hearth__Record **recs = NULL;
	size_t total = 0;
	char line[300];
	sync_result res = SYNC_OK;
	int rc = replica_recovery_pending(&x->r, &n);

	if (rc == HEARTH_ENOTFOUND)
		return SYNC_OK;
	if (rc != 0)
		return failed(x, _("cannot read the pending recovery from the replica: %s"), hearth_strerror(rc));
	/* The restored server may lack content it once held whole: every file
	 * is asked about again after the records, and what is missing goes up
	 * again from this replica's copy. */
	if ((rc = attachments_forget_uploaded(&x->r)) != 0) {
		res = failed(x, _("cannot reset the upload state of this replica's attachments: %s"),
		             hearth_strerror(rc));
		goto done;
	}
	if ((rc = replica_recovery_collect(&x->r, x->digest_branch, n->change_seq, &recs, &total)) != 0) {
		res = failed(x, _("cannot read the records to recover from the replica: %s"), hearth_strerror(rc));
		goto done;
	}
	for (size_t at = 0; at < total && res == SYNC_OK; at += x->batch)
		res = recover_batch(x, recs + at, total - at < x->batch ? total - at : x->batch, n->audit_size);
	if (res != SYNC_OK)
		goto done;
	if (x->recover_refused) {
		res = failed(x, _("the server refused %llu of the %llu records this replica re-pushed (see above); "
		                  "the recovery stays pending and nothing was dropped; report this to the "
		                  "committee's administrator"),
		             (unsigned long long)x->recover_refused, (unsigned long long)x->recover_sent);
		goto done;
	}
	if ((rc = replica_recovery_done(&x->r, n->change_seq)) != 0) {
		res = failed(x, _("cannot end the recovery in the replica: %s"), hearth_strerror(rc));
		goto done;
	}
	snprintf(line, sizeof(line),
	         _("recovery: re-pushed %llu records (%llu restored, %llu already on the server; %llu with the "
	           "audit entry this replica witnessed)"),
	         (unsigned long long)x->recover_sent, (unsigned long long)x->recovered,
	         (unsigned long long)x->recover_present, (unsigned long long)x->recover_witnessed);
	notice(x, line);
done:
	replica_recovery_free(recs, total);
	hearth__restore_notice__free_unpacked(n, NULL);
	return res;
}

/* Pages of audit entries fetched per sync at most: the rest comes with the
 * next sync, so a replica with a long history never makes one sync long. */
#define ENTRY_PAGES_MAX 20

/* The branch directory of this replica's scope (ids, names, parents), kept
 * so that commands accept and show branch names offline. Best effort, like
 * fetch_entries. */
static void fetch_directory(sync_ctx *x)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__BranchListRequest q = HEARTH__BRANCH_LIST_REQUEST__INIT;

	q.directory = 1;

	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST;
	req.branch_list_request = &q;
	if (session_call(&x->s, &req, &resp) != 0)
		return;
	if (resp->body_case == HEARTH__ENVELOPE__BODY_BRANCH_LIST) {
		size_t n = hearth__branch_list__get_packed_size(resp->branch_list);
		uint8_t *buf = malloc(n ? n : 1);
		if (buf) {
			hearth__branch_list__pack(resp->branch_list, buf);
			replica_meta_set_bytes(&x->r, BRANCH_DIRECTORY_META, buf, n);
			free(buf);
		}
	}
	envelope_free(resp, NULL);
}

/* After a sync: the audit entries of the revisions in scope written since
 * the last fetch, kept so that a recovery can show the server what this
 * replica witnessed. Best effort: a server that does not answer leaves the
 * replica without that evidence, never fails the sync. */
static void fetch_entries(sync_ctx *x)
{
	uint64_t after;

	if (replica_entries_after(&x->r, &after) != 0)
		return;
	for (int page = 0; page < ENTRY_PAGES_MAX; page++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
		const Hearth__AuditPage *pg;
		int more;

		q.after_seq = after;
		q.limit = 1000;
		q.branch_id = (char *)x->digest_branch;
		q.action = "record.";
		req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_QUERY;
		req.audit_query = &q;
		if (session_call(&x->s, &req, &resp) != 0)
			return;
		if (resp->body_case != HEARTH__ENVELOPE__BODY_AUDIT_PAGE || resp->audit_page->next < after ||
		    replica_entries_put(&x->r, resp->audit_page->entries, resp->audit_page->n_entries,
		                        resp->audit_page->next) != 0) {
			envelope_free(resp, NULL);
			return;
		}
		pg = resp->audit_page;
		more = pg->more && pg->next > after;
		after = pg->next;
		envelope_free(resp, NULL);
		if (!more)
			return;
	}
}

static void events_warned(void *arg, const char *text)
{
	notice(arg, text);
}

/* Reports the queued reveal/export events to the audit log. */
static sync_result send_events(sync_ctx *x)
{
	char err[600];

	switch (events_report_warn(&x->s, &x->r, &x->events, err, sizeof(err), events_warned, x)) {
	case EVENTS_OK: return SYNC_OK;
	case EVENTS_LOST: return lost(x);
	case EVENTS_FAILED: break;
	}
	return failed(x, "%s", err);
}

/* A cursor at or above 2^63 is no position any server reaches; stored, it
 * would leave the replica nowhere to go (issue 12 item 14). */
#define CURSOR_LIMIT (UINT64_C(1) << 63)
/* Pages in a row that say "more" but bring nothing and barely move the
 * cursor before the pull stops: hearthd fills every such page, so even one
 * is odd; a few leave room without letting a server loop us for ever. */
#define IDLE_PAGES_MAX 3

static int hostile(sync_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int hostile(sync_ctx *x, const char *fmt, ...)
{
	va_list ap;

	progress_clear(&x->prog);
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	return SYNC_HOSTILE;
}

/* Checks a page before anything of it is stored; SYNC_OK or SYNC_HOSTILE. */
static int check_page(sync_ctx *x, const Hearth__PullResponse *pg, uint64_t cursor)
{
	if (pg->cursor >= CURSOR_LIMIT)
		return hostile(x, _("it answered the pull after cursor %llu with cursor %llu, beyond any "
		                  "position a log reaches"),
		               (unsigned long long)cursor, (unsigned long long)pg->cursor);
	/* An empty last page may carry 0 (older servers); anything else
	 * going back would replay or skip changes. */
	if (pg->cursor < cursor && (pg->cursor != 0 || pg->more || pg->n_records || pg->n_conflicts))
		return hostile(x, _("it answered the pull after cursor %llu with the earlier cursor %llu"),
		               (unsigned long long)cursor, (unsigned long long)pg->cursor);
	/* A record whose body is not of its kind would be stored and then
	 * fail every show and list of it; a stub (no body) names a move. */
	for (size_t i = 0; i < pg->n_records; i++) {
		const Hearth__Record *rec = pg->records[i];
		const kind_info *k = kind_find(rec->kind);
		const kind_info *b = kind_by_record_field((uint32_t)rec->body_case);
		char id[UUID_TEXT_LEN + 1] = "(no id)";
		if (rec->body_case == HEARTH__RECORD__BODY__NOT_SET || (k && b == k))
			continue;
		if (rec->id.len == UUID_LEN)
			uuid_format(rec->id.data, id);
		return hostile(x, _("it sent record %s of kind %s with a %s body, which this replica "
		                    "cannot decode as that kind"),
		               id, k ? k->name : "(unknown)", b ? b->name : "(unknown)");
	}
	for (size_t i = 0; x->digest_branch[0] && i < pg->n_conflicts; i++) {
		const char *b = pg->conflicts[i]->branch_id ? pg->conflicts[i]->branch_id : "";
		if (strcmp(b, x->digest_branch) != 0)
			return hostile(x, _("it sent a conflict of branch %s to a replica of branch %s"),
			               b[0] ? b : "(none)", x->digest_branch);
	}
	return SYNC_OK;
}

/* A general replica keeps the branches of its subtree as the server named
 * them ("b001,b002,g01"), so commands can refuse a branch outside it. */
static int store_scope_branches(sync_ctx *x, const Hearth__PullResponse *pg)
{
	char list[64 * 66];
	size_t used = 0;

	list[0] = '\0';
	for (size_t i = 0; i < pg->n_scope_branches; i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "", pg->scope_branches[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	return replica_meta_set_str(&x->r, "scope_branches", list);
}

/* One answer to a pull: the envelope, unpacked into an arena (a page is
 * thousands of records, and a malloc and a free for each of their fields
 * cost more than the unpacking), the frame it came in, and where in that
 * frame each record's bytes are, so they are stored as the server sent
 * them (replica_pull_page). */
typedef struct pulled {
	arena ar;
	Hearth__Envelope *resp;
	uint8_t *frame;
	size_t frame_len;
	const envelope_bytes *spans;    /* in ar; NULL: the records are packed again */
} pulled;

/* Forgets one answer; the arena keeps a chunk for the next. The envelope
 * goes with the arena: envelope_free would walk every field of the page
 * to free nothing. */
static void pulled_drop(pulled *in)
{
	in->resp = NULL;
	free(in->frame);
	in->frame = NULL;
	in->frame_len = 0;
	in->spans = NULL;
	arena_clear(&in->ar);
}

/* Finds each record's bytes in the frame of a page of n records. Only
 * the plain shape of an answer qualifies (envelope_pull_records): in any
 * other, the records are packed again, as before. */
static void find_spans(pulled *in, size_t n)
{
	ProtobufCAllocator *a = arena_allocator(&in->ar);
	envelope_bytes *spans;

	in->spans = NULL;
	if (n == 0 || n > SIZE_MAX / sizeof(*spans) || !(spans = a->alloc(a->allocator_data, n * sizeof(*spans))))
		return;
	if (envelope_pull_records(in->frame, in->frame_len, n, spans) == 0)
		in->spans = spans;
}

/* Pull: pages after our cursor until the server says there is no more;
 * each page (records, conflicts, cursor) commits in one transaction. The
 * answer in hand lives in *in, which the caller frees. */
static int pull_pages(sync_ctx *x, pulled *in)
{
	uint64_t cursor, ahead_id = 0;
	char err[1200], tag[32];
	int rc, idle = 0, ahead = 0;

	if ((rc = replica_cursor(&x->r, &cursor)) != 0)
		return failed(x, _("cannot read the replica's cursor: %s"), _(hearth_strerror(rc)));
	x->prog.what = N_("pulling");
	x->prog.total = 0;
	x->prog.done = 0;
	for (;;) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp;
		Hearth__PullRequest pull = HEARTH__PULL_REQUEST__INIT;
		Hearth__PullResponse *pg;
		int more;

		pull.cursor = cursor;
		pull.limit = x->page;
		pull.branch_id = (char *)x->scope;
		/* A general's cursor belongs to the subtree it was read from; the
		 * server asks for a re-pull when that changed. */
		if (x->general && replica_meta_get_str(&x->r, "scope_tag", tag, sizeof(tag)) == 0)
			pull.scope_tag = tag;
		req.body_case = HEARTH__ENVELOPE__BODY_PULL;
		req.pull = &pull;
		progress_show(&x->prog);
		/* The request for this page may be on its way already (sent
		 * ahead below, for this same cursor). */
		rc = ahead ? 0 : session_send(&x->s, &req, &ahead_id);
		ahead = 0;
		if (rc == 0)
			rc = session_wait_frame(&x->s, ahead_id, arena_allocator(&in->ar), &in->resp, &in->frame,
			                        &in->frame_len);
		resp = in->resp;
		if (rc != 0) {
			/* An answer that arrived whole but does not decode (bad
			 * protobuf in a record, a damaged store's bytes) is the
			 * server's fault, not the network's. */
			if (rc == HEARTH_EPROTO && x->s.fail == SESSION_PROTOCOL)
				return hostile(x, _("it sent bad data: its answer to the pull after cursor %llu "
				                    "is not a valid message (%s)"),
				               (unsigned long long)cursor, x->s.error);
			return lost(x);
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_PULL_RESULT) {
			rc = server_refused(x, "pull", resp);
			pulled_drop(in);
			return rc;
		}
		x->pull_recv++;
		fault_hit(&x->fault, FAULT_PULL_RECV, x->pull_recv);
		pg = resp->pull_result;
		find_spans(in, pg->n_records);
		if (pg->reset && ++x->resets > 1) {
			pulled_drop(in);
			return hostile(x, _("it asked for a re-pull from zero a second time in one sync"));
		}
		if (pg->reset) {
			notice(x, x->general ? _("the branches below this general branch changed, or this replica "
			                         "was away longer than the server keeps deletes; re-pulling from zero")
			                     : _("this replica was away longer than the server keeps deletes; "
			                         "re-pulling from zero"));
			if ((rc = replica_reset_server(&x->r)) != 0) {
				pulled_drop(in);
				return failed(x, _("cannot reset the replica: %s"), _(hearth_strerror(rc)));
			}
			pulled_drop(in);
			cursor = 0;
			continue;
		}
		if ((rc = check_page(x, pg, cursor)) != SYNC_OK) {
			pulled_drop(in);
			return rc;
		}
		if (pg->more && !pg->n_records && !pg->n_conflicts && pg->cursor - cursor < x->page)
			idle++;
		else
			idle = 0;
		if (idle >= IDLE_PAGES_MAX) {
			rc = hostile(x, _("it said more records follow %d pages in a row but sent none and "
			                "moved the cursor only to %llu"),
			             idle, (unsigned long long)pg->cursor);
			pulled_drop(in);
			return rc;
		}
		if (idle) {
			/* Nothing to store: the cursor is kept with the next page
			 * that brings something, so a server caught looping leaves
			 * the replica as it was. */
			cursor = pg->cursor;
			pulled_drop(in);
			continue;
		}
		/* A pull only reads, so the next page is asked for before this
		 * one is stored: the server reads and sends it while the replica
		 * commits. The cursor is the one the loop goes on with below. */
		if (pg->more && pg->cursor > cursor) {
			Hearth__Envelope next = HEARTH__ENVELOPE__INIT;
			Hearth__PullRequest np = pull;
			np.cursor = pg->cursor;
			next.body_case = HEARTH__ENVELOPE__BODY_PULL;
			next.pull = &np;
			if (session_send(&x->s, &next, &ahead_id) != 0) {
				pulled_drop(in);
				return lost(x);
			}
			ahead = 1;
		}
		if (replica_apply_pull_page(&x->r, &(replica_pull_page){ .page = pg, .record_bytes = in->spans }, err,
		                            sizeof(err)) != 0) {
			pulled_drop(in);
			return failed(x, "%s", err);
		}
		if (x->general && pg->scope_tag && pg->scope_tag[0] &&
		    (replica_meta_set_str(&x->r, "scope_tag", pg->scope_tag) != 0 ||
		     store_scope_branches(x, pg) != 0)) {
			pulled_drop(in);
			return failed(x, _("cannot store the scope in the replica"));
		}
		x->pull_pages++;
		fault_hit(&x->fault, FAULT_PULL_PAGE, x->pull_pages);
		x->pulled += pg->n_records;
		x->prog.done += pg->n_records;
		more = pg->more;
		if (more && pg->cursor <= cursor) {
			pulled_drop(in);
			return failed(x, _("the server said more records follow but its cursor did not move "
			                 "(%llu); stopping"),
			              (unsigned long long)cursor);
		}
		if (pg->cursor > cursor)
			cursor = pg->cursor;
		pulled_drop(in);
		if (!more)
			break;
	}
	progress_clear(&x->prog);
	return SYNC_OK;
}

static int do_pull(sync_ctx *x)
{
	pulled in = { .resp = NULL };
	int rc;

	arena_init(&in.ar);
	rc = pull_pages(x, &in);
	pulled_drop(&in);
	arena_free(&in.ar);
	return rc;
}

/* Asks the server for its per-kind digest of our scope. */
static int fetch_digest(sync_ctx *x, Hearth__Envelope **out)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__DigestRequest dr = HEARTH__DIGEST_REQUEST__INIT;
	int rc;

	*out = NULL;
	dr.branch_id = (char *)x->digest_branch;
	req.body_case = HEARTH__ENVELOPE__BODY_DIGEST;
	req.digest = &dr;
	if (session_call(&x->s, &req, &resp) != 0)
		return lost(x);
	if (resp->body_case != HEARTH__ENVELOPE__BODY_DIGEST_RESULT) {
		rc = server_refused(x, "digest check", resp);
		envelope_free(resp, NULL);
		return rc;
	}
	*out = resp;
	return SYNC_OK;
}

/* Compares the server's digest with ours. *same: 1 equal, 0 differs (msg
 * filled), -1 could not compare (the server kept moving). */
static int compare_digest(sync_ctx *x, int *same, char *msg, size_t cap)
{
	Hearth__Envelope *resp = NULL;
	kind_digest_acc mine[REPLICA_MAX_KINDS], theirs[REPLICA_MAX_KINDS];
	uint64_t cursor;
	int64_t verified = 0;
	int rc, full;

	*same = -1;
	/* Only a replica at the server's cursor can match it; if the server
	 * moved on since our pull, catch up first (a few times at most). */
	for (int attempt = 0; attempt < 3; attempt++) {
		if ((rc = fetch_digest(x, &resp)) != SYNC_OK)
			return rc;
		if ((rc = replica_cursor(&x->r, &cursor)) != 0) {
			envelope_free(resp, NULL);
			return failed(x, _("cannot read the replica's cursor: %s"), _(hearth_strerror(rc)));
		}
		if (resp->digest_result->cursor <= cursor)
			break;
		envelope_free(resp, NULL);
		resp = NULL;
		if ((rc = do_pull(x)) != SYNC_OK)
			return rc;
	}
	if (!resp)
		return SYNC_OK;
	if (resp->digest_result->cursor < cursor && x->hooks.cursor_behind &&
	    x->hooks.cursor_behind(x->hooks.arg, cursor, resp->digest_result->cursor) != 0) {
		envelope_free(resp, NULL);
		return SYNC_WITNESS;
	}
	if (resp->digest_result->cursor < cursor) {
		snprintf(msg, cap, _("replica is ahead of the server (cursor %llu here, %llu there)"),
		         (unsigned long long)cursor, (unsigned long long)resp->digest_result->cursor);
		*same = 0;
		envelope_free(resp, NULL);
		return SYNC_OK;
	}
	memset(theirs, 0, sizeof(theirs));
	for (size_t i = 0; i < resp->digest_result->n_kinds; i++) {
		const Hearth__KindDigest *kd = resp->digest_result->kinds[i];
		if ((int)kd->kind < 0 || (int)kd->kind >= REPLICA_MAX_KINDS)
			continue;
		theirs[kd->kind].count = kd->count;
		if (kd->digest.len == 32)
			memcpy(theirs[kd->kind].digest, kd->digest.data, 32);
	}
	envelope_free(resp, NULL);
	/* A pull from zero has just stored, and counted, every server copy: the
	 * kept digests are that pull's own, and hashing it all again would
	 * double the time of a first sync. */
	full = x->verify == SYNC_VERIFY_ALWAYS;
	if (!full && x->pull_from != 0 && replica_digest_verified_at(&x->r, &verified) == 0)
		full = session_now_ms() - verified >= REPLICA_DIGEST_VERIFY_MS;
	rc = full ? replica_digest_scan(&x->r, x->digest_branch[0] ? x->digest_branch : NULL, mine)
	          : replica_digest(&x->r, x->digest_branch[0] ? x->digest_branch : NULL, mine);
	if (rc != 0)
		return failed(x, _("cannot compute the replica's digest: %s"), _(hearth_strerror(rc)));
	*same = 1;
	for (int k = 0; k < REPLICA_MAX_KINDS; k++) {
		if (mine[k].count != theirs[k].count || memcmp(mine[k].digest, theirs[k].digest, 32)) {
			snprintf(msg, cap, _("replica differs from the server for %s (%llu records here, %llu there)"),
			         kind_find((Hearth__Kind)k) ? kind_find((Hearth__Kind)k)->name : "kind",
			         (unsigned long long)mine[k].count, (unsigned long long)theirs[k].count);
			*same = 0;
			break;
		}
	}
	if (*same == 1 && (full || x->pull_from == 0))
		(void)replica_digest_set_verified(&x->r, session_now_ms());
	return SYNC_OK;
}

/* The divergence check (DESIGN section 5): on a mismatch, forget every
 * server copy, pull from zero and check once more. */
static int check_divergence(sync_ctx *x)
{
	char msg[300], line[340];
	int same, rc;

	if ((rc = compare_digest(x, &same, msg, sizeof(msg))) != SYNC_OK || same != 0)
		return rc;
	snprintf(line, sizeof(line), _("%s; re-pulling from zero"), msg);
	notice(x, line);
	if ((rc = replica_reset_server(&x->r)) != 0)
		return failed(x, _("cannot reset the replica: %s"), _(hearth_strerror(rc)));
	x->pull_from = 0;
	if ((rc = do_pull(x)) != SYNC_OK)
		return rc;
	if ((rc = compare_digest(x, &same, msg, sizeof(msg))) != SYNC_OK)
		return rc;
	if (same == 0) {
		snprintf(x->err, sizeof(x->err), _("%s even after a full re-pull"), msg);
		return SYNC_DIVERGED;
	}
	return SYNC_OK;
}

/* Only one sync may work on a replica at a time: two would push the same
 * ops and race to store their results. */
static int lock_replica(sync_ctx *x, const replica *r, int *fd)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/sync.lock", r->path);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return failed(x, _("cannot create %s: %s"), path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return failed(x, _("another 'hearth sync' is running on this replica; wait for it to finish"));
	}
	return SYNC_OK;
}

/* Which part of the server this replica mirrors: a branch principal always
 * its own branch; an admin or auditor all branches or the one --branch
 * names. A change of scope restarts the pull from zero, since one cursor
 * only means something for one scope. */
static int settle_scope(sync_ctx *x, const char *branch_opt)
{
	const Hearth__Principal *p = x->s.welcome->principal;
	char old[128], line[400];
	int rc;

	if (p->role == HEARTH__ROLE__ROLE_BRANCH) {
		if (branch_opt && strcmp(branch_opt, p->branch_id) != 0) {
			snprintf(x->err, sizeof(x->err),
			         _("--branch is for admin and auditor certificates; this certificate "
			         "belongs to branch %s"),
			         p->branch_id);
			return SYNC_USAGE;
		}
		if (replica_meta_set_str(&x->r, "branch", p->branch_id) != 0)
			return failed(x, _("cannot store the branch in the replica"));
		x->scope = "";
		x->digest_branch = p->branch_id;
	} else if (p->role == HEARTH__ROLE__ROLE_GENERAL) {
		/* The server pulls the whole subtree below the general branch;
		 * the replica holds nothing else, so it digests all it has. */
		if (branch_opt) {
			snprintf(x->err, sizeof(x->err),
			         _("--branch is for admin and auditor certificates; this certificate syncs "
			           "every branch below general branch %s"),
			         p->branch_id);
			return SYNC_USAGE;
		}
		x->general = 1;
		x->scope = "";
		x->digest_branch = "";
		snprintf(x->scope_meta, sizeof(x->scope_meta), "general/%s", p->branch_id);
	} else {
		x->scope = branch_opt ? branch_opt : "";
		x->digest_branch = x->scope;
	}
	if (!x->general)
		snprintf(x->scope_meta, sizeof(x->scope_meta), "%s", x->digest_branch);
	rc = replica_meta_get_str(&x->r, "scope", old, sizeof(old));
	if (rc == 0 && strcmp(old, x->scope_meta) != 0) {
		snprintf(line, sizeof(line), _("sync scope changed from %s%s to %s%s; pulling from zero"),
		         old[0] ? _("branch ") : _("all branches"), old,
		         x->scope_meta[0] ? _("branch ") : _("all branches"),
		         x->scope_meta);
		notice(x, line);
		if (replica_reset_server(&x->r) != 0)
			return failed(x, _("cannot reset the replica"));
	}
	if (rc != 0 || strcmp(old, x->scope_meta) != 0) {
		if (replica_meta_set_str(&x->r, "scope", x->scope_meta) != 0)
			return failed(x, _("cannot store the scope in the replica"));
	}
	return SYNC_OK;
}

/* ---------------------------------------------------------- the engine */

void sync_init(sync_ctx *x, const sync_options *o)
{
	memset(x, 0, sizeof(*x));
	x->s.fd = -1;
	x->lock_fd = -1;
	x->batch = o->batch ? o->batch : SYNC_BATCH_DEFAULT;
	x->page = o->page ? o->page : SYNC_PAGE_DEFAULT;
	x->branch_opt = o->branch;
	x->verify = o->verify;
	x->no_content = o->no_content;
	x->fetch_content = o->fetch_content;
	x->hooks = o->hooks;
	x->prog.hooks = &x->hooks;
	fault_parse(&x->fault);
}

sync_result sync_begin(sync_ctx *x)
{
	return lock_replica(x, &x->r, &x->lock_fd);
}

/* ------------------------------------------------- attachment content */

static void content_progress(void *arg, uint64_t done, uint64_t total)
{
	sync_ctx *x = arg;

	x->prog.what = N_("uploading");
	x->prog.done = done;
	x->prog.total = total;
	progress_show(&x->prog);
}

static void content_refused(void *arg, const char *name, const char *reason)
{
	sync_ctx *x = arg;
	char text[1400];

	snprintf(text, sizeof(text), _("the content of attachment %s was not uploaded: %s"), name, reason);
	notice(x, text);
}

/* After the records: the content this replica holds that the server
 * lacks goes up, resumed where the server's durable chunks end. */
static sync_result move_content(sync_ctx *x)
{
	transfer_hooks h = { .progress = content_progress, .refused = content_refused, .arg = x };
	transfer_report rep;
	char path[1200];
	int rc, fd;

	/* The records are done: the replica's sync lock goes, so a sync
	 * started while this one moves bytes pushes and pulls at once (records
	 * never wait on bytes); the content has a lock of its own, and a sync
	 * that finds it taken leaves the bytes to the one moving them. */
	snprintf(path, sizeof(path), "%s/content.lock", x->r.path);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return failed(x, _("cannot create %s: %s"), path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		notice(x, _("another 'hearth sync' is moving this replica's attachment content; it goes on there"));
		return SYNC_OK;
	}
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	x->lock_fd = -1;
	rc = transfer_sync(&x->r, &x->s, &h, x->fetch_content, &rep, x->err, sizeof(x->err));
	close(fd);
	progress_clear(&x->prog);
	x->content_sent = rep.files_sent;
	x->content_bytes = rep.bytes_sent;
	x->content_refused = rep.refused;
	x->content_waiting = rep.waiting;
	x->content_fetched = rep.files_fetched;
	if (rc == HEARTH_ECLOSED || rc == HEARTH_EPROTO)
		return lost(x);
	return rc ? SYNC_FAILED : SYNC_OK;
}

sync_result sync_run(sync_ctx *x)
{
	sync_result rc;

	if ((rc = settle_scope(x, x->branch_opt)) != SYNC_OK)
		return rc;
	if ((rc = do_recover(x)) != SYNC_OK)
		return rc;
	if ((rc = do_push(x)) != SYNC_OK)
		return rc;
	if ((rc = send_events(x)) != SYNC_OK)
		return rc;
	if (replica_cursor(&x->r, &x->pull_from) != 0)
		x->pull_from = 1; /* unknown: not a pull from zero */
	if ((rc = do_pull(x)) != SYNC_OK)
		return rc;
	if ((rc = check_divergence(x)) != SYNC_OK)
		return rc;
	replica_set_last_sync(&x->r, session_now_ms());
	fetch_directory(x);
	fetch_entries(x);
	return x->no_content ? SYNC_OK : move_content(x);
}

void sync_end(sync_ctx *x)
{
	progress_clear(&x->prog);
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	x->lock_fd = -1;
}
