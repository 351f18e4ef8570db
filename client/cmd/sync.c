/* sync.c: `hearth sync`, moving a replica's changes to and from hearthd:
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
#include "client/cmd/sync.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "client/cmd/audit.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/record.h"
#include "client/core/replica.h"
#include "client/core/replica_sync.h"
#include "client/core/replica_meta.h"
#include "common/utf8.h"
#include "common/uuid.h"
#include "client/cmd/witness.h"

#define BATCH_DEFAULT 500
#define PAGE_DEFAULT 1000

/* ---------------------------------------------------------- shared bits */

static int parse_count(const char *cmd, const char *flag, const char *text, long max, long *out)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*text == '\0' || *end || v < 1 || v > max) {
		cli_error("%s: %s \"%s\" is not a number from 1 to %ld", cmd, flag, text, max);
		return -1;
	}
	*out = v;
	return 0;
}

static const char *kind_word(Hearth__Kind kind)
{
	const kind_info *k = kind_find(kind);
	return k ? k->name : "record";
}

/* ---------------------------------------------------------- fault injection */

enum fault_point { FAULT_NONE, FAULT_PUSH_ACK, FAULT_PULL_RECV, FAULT_PULL_PAGE };

typedef struct fault {
	enum fault_point point;
	long n;
} fault;

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
	if (f->point == point && f->n == count) {
		fflush(stdout);
		fflush(stderr);
		raise(SIGKILL);
	}
}

/* ---------------------------------------------------------- progress */

typedef struct progress {
	int on;            /* stderr is a terminal */
	int shown;         /* a line is on screen and must be cleared */
	const char *what;
	uint64_t done, total;
} progress;

/* One line, redrawn in place with \r; only ever on a terminal, so logs and
 * pipes never see control characters. */
static void progress_show(progress *p)
{
	if (!p->on)
		return;
	if (p->total) {
		char bar[31];
		uint64_t fill = p->done >= p->total ? 30 : p->done * 30 / p->total;
		memset(bar, '#', fill);
		memset(bar + fill, '.', 30 - fill);
		bar[30] = '\0';
		fprintf(stderr, "\r\033[K%s [%s] %llu/%llu", p->what, bar, (unsigned long long)p->done,
		        (unsigned long long)p->total);
	} else {
		fprintf(stderr, "\r\033[K%s: %llu records", p->what, (unsigned long long)p->done);
	}
	fflush(stderr);
	p->shown = 1;
}

static void progress_clear(progress *p)
{
	if (p->on && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}

/* ---------------------------------------------------------- sync */

typedef struct sync_ctx {
	cli *c;
	session s;
	replica r;
	int json;
	size_t batch;
	uint32_t page;
	const char *scope;          /* pull branch_id (admin/auditor --branch), "" = all */
	const char *digest_branch;  /* DigestRequest.branch_id */
	fault fault;
	long push_acks, pull_recv, pull_pages;
	progress prog;
	uint64_t pushed, applied, merged, conflicts, duplicate, rejected, pulled;
} sync_ctx;

static int server_refused(sync_ctx *x, const char *what, const Hearth__Envelope *resp)
{
	progress_clear(&x->prog);
	return cli_refused("sync", what, resp);
}

static int lost(sync_ctx *x)
{
	progress_clear(&x->prog);
	return cli_lost("sync", &x->s);
}

static void report_rejected(sync_ctx *x, const Hearth__Op *op, const Hearth__OpResult *res)
{
	char idt[UUID_TEXT_LEN + 1] = "?";
	const Hearth__Error *e = res->error;

	if (op->record && op->record->id.len == UUID_LEN)
		uuid_format(op->record->id.data, idt);
	progress_clear(&x->prog);
	if (e && e->field && e->field[0])
		cli_error("the server rejected the change to %s %s: %s (field %s)",
		          kind_word(op->record ? op->record->kind : 0), idt, e->message, e->field);
	else
		cli_error("the server rejected the change to %s %s: %s",
		          kind_word(op->record ? op->record->kind : 0), idt,
		          e && e->message[0] ? e->message : "no reason given");
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

	if (replica_status_get(&x->r, &st) != 0)
		st.pending_ops = 0;
	x->prog.what = "pushing";
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
		if (rc != 0) {
			progress_clear(&x->prog);
			cli_error("sync: cannot read the outbox: %s", hearth_strerror(rc));
			return EXIT_FAIL;
		}
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
			progress_clear(&x->prog);
			cli_error("sync: the server answered %zu ops with %zu results", n, pr->n_results);
			rc = EXIT_FAIL;
			goto batch_fail;
		}
		/* Pinned before the results are stored: the answer proves the commit, so
		 * no crash leaves acknowledged ops here that the pin does not cover. */
		if ((rc = witness_pin_push(x->c, &x->s, &x->r, pr->checkpoint, "sync")) != EXIT_OK)
			goto batch_fail;
		for (size_t i = 0; i < n; i++) {
			const Hearth__OpResult *res = pr->results[i];
			if (res->op_id.len != ops[i]->op_id.len ||
			    memcmp(res->op_id.data, ops[i]->op_id.data, res->op_id.len) != 0) {
				progress_clear(&x->prog);
				cli_error("sync: the server's results are not in the order of the ops sent");
				rc = EXIT_FAIL;
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
				progress_clear(&x->prog);
				cli_error("sync: %s", err);
				rc = EXIT_FAIL;
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
	return EXIT_OK;
}

/* Pull: pages after our cursor until the server says there is no more;
 * each page (records, conflicts, cursor) commits in one transaction. */
static int do_pull(sync_ctx *x)
{
	uint64_t cursor;
	char err[1200];
	int rc;

	if ((rc = replica_cursor(&x->r, &cursor)) != 0) {
		cli_error("sync: cannot read the replica's cursor: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	x->prog.what = "pulling";
	x->prog.total = 0;
	x->prog.done = 0;
	for (;;) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__PullRequest pull = HEARTH__PULL_REQUEST__INIT;
		Hearth__PullResponse *pg;
		int more;

		pull.cursor = cursor;
		pull.limit = x->page;
		pull.branch_id = (char *)x->scope;
		req.body_case = HEARTH__ENVELOPE__BODY_PULL;
		req.pull = &pull;
		progress_show(&x->prog);
		if (session_call(&x->s, &req, &resp) != 0)
			return lost(x);
		if (resp->body_case != HEARTH__ENVELOPE__BODY_PULL_RESULT) {
			rc = server_refused(x, "pull", resp);
			envelope_free(resp, NULL);
			return rc;
		}
		x->pull_recv++;
		fault_hit(&x->fault, FAULT_PULL_RECV, x->pull_recv);
		pg = resp->pull_result;
		if (pg->reset) {
			progress_clear(&x->prog);
			fprintf(stderr, "hearth: this replica was away longer than the server keeps deletes; "
			                "re-pulling from zero\n");
			if ((rc = replica_reset_server(&x->r)) != 0) {
				envelope_free(resp, NULL);
				cli_error("sync: cannot reset the replica: %s", hearth_strerror(rc));
				return EXIT_FAIL;
			}
			envelope_free(resp, NULL);
			cursor = 0;
			continue;
		}
		if (replica_apply_pull(&x->r, pg, err, sizeof(err)) != 0) {
			progress_clear(&x->prog);
			cli_error("sync: %s", err);
			envelope_free(resp, NULL);
			return EXIT_FAIL;
		}
		x->pull_pages++;
		fault_hit(&x->fault, FAULT_PULL_PAGE, x->pull_pages);
		x->pulled += pg->n_records;
		x->prog.done += pg->n_records;
		more = pg->more;
		if (more && pg->cursor <= cursor) {
			progress_clear(&x->prog);
			cli_error("sync: the server said more records follow but its cursor did not move "
			          "(%llu); stopping",
			          (unsigned long long)cursor);
			envelope_free(resp, NULL);
			return EXIT_FAIL;
		}
		if (pg->cursor > cursor)
			cursor = pg->cursor;
		envelope_free(resp, NULL);
		if (!more)
			break;
	}
	progress_clear(&x->prog);
	return EXIT_OK;
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
	return EXIT_OK;
}

/* Compares the server's digest with ours. *same: 1 equal, 0 differs (msg
 * filled), -1 could not compare (the server kept moving). */
static int compare_digest(sync_ctx *x, int *same, char *msg, size_t cap)
{
	Hearth__Envelope *resp = NULL;
	kind_digest_acc mine[REPLICA_MAX_KINDS], theirs[REPLICA_MAX_KINDS];
	uint64_t cursor;
	int rc;

	*same = -1;
	/* Only a replica at the server's cursor can match it; if the server
	 * moved on since our pull, catch up first (a few times at most). */
	for (int attempt = 0; attempt < 3; attempt++) {
		if ((rc = fetch_digest(x, &resp)) != EXIT_OK)
			return rc;
		if ((rc = replica_cursor(&x->r, &cursor)) != 0) {
			envelope_free(resp, NULL);
			cli_error("sync: cannot read the replica's cursor: %s", hearth_strerror(rc));
			return EXIT_FAIL;
		}
		if (resp->digest_result->cursor <= cursor)
			break;
		envelope_free(resp, NULL);
		resp = NULL;
		if ((rc = do_pull(x)) != EXIT_OK)
			return rc;
	}
	if (!resp)
		return EXIT_OK;
	if (resp->digest_result->cursor < cursor) {
		rc = witness_check_cursor(x->c, cursor, resp->digest_result->cursor, "sync");
		envelope_free(resp, NULL);
		return rc;
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
	if ((rc = replica_digest(&x->r, x->digest_branch[0] ? x->digest_branch : NULL, mine)) != 0) {
		cli_error("sync: cannot compute the replica's digest: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	*same = 1;
	for (int k = 0; k < REPLICA_MAX_KINDS; k++) {
		if (mine[k].count != theirs[k].count || memcmp(mine[k].digest, theirs[k].digest, 32)) {
			snprintf(msg, cap, "replica differs from the server for %s (%llu records here, %llu there)",
			         kind_find((Hearth__Kind)k) ? kind_find((Hearth__Kind)k)->name : "kind",
			         (unsigned long long)mine[k].count, (unsigned long long)theirs[k].count);
			*same = 0;
			break;
		}
	}
	return EXIT_OK;
}

/* The divergence check (DESIGN section 5): on a mismatch, forget every
 * server copy, pull from zero and check once more. */
static int check_divergence(sync_ctx *x)
{
	char msg[300];
	int same, rc;

	if ((rc = compare_digest(x, &same, msg, sizeof(msg))) != EXIT_OK || same != 0)
		return rc;
	cli_error("%s; re-pulling from zero", msg);
	if ((rc = replica_reset_server(&x->r)) != 0) {
		cli_error("sync: cannot reset the replica: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	if ((rc = do_pull(x)) != EXIT_OK)
		return rc;
	if ((rc = compare_digest(x, &same, msg, sizeof(msg))) != EXIT_OK)
		return rc;
	if (same == 0) {
		cli_error("sync: %s even after a full re-pull; keep %s/replica as it is and report this",
		          msg, x->c->prof.home);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Only one sync may work on a replica at a time: two would push the same
 * ops and race to store their results. */
static int lock_replica(const replica *r, int *fd)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/sync.lock", r->path);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		cli_error("sync: cannot create %s: %m", path);
		return EXIT_FAIL;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		cli_error("sync: another 'hearth sync' is running on this replica; wait for it to finish");
		close(*fd);
		*fd = -1;
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Which part of the server this replica mirrors: a branch principal always
 * its own branch; an admin or auditor all branches or the one --branch
 * names. A change of scope restarts the pull from zero, since one cursor
 * only means something for one scope. */
static int settle_scope(sync_ctx *x, const char *branch_opt)
{
	const Hearth__Principal *p = x->s.welcome->principal;
	char old[128];
	int rc;

	if (p->role == HEARTH__ROLE__ROLE_BRANCH) {
		if (branch_opt && strcmp(branch_opt, p->branch_id) != 0) {
			cli_error("sync: --branch is for admin and auditor certificates; this certificate "
			          "belongs to branch %s",
			          p->branch_id);
			return EXIT_USAGE;
		}
		if (replica_meta_set_str(&x->r, "branch", p->branch_id) != 0) {
			cli_error("sync: cannot store the branch in the replica");
			return EXIT_FAIL;
		}
		x->scope = "";
		x->digest_branch = p->branch_id;
	} else {
		x->scope = branch_opt ? branch_opt : "";
		x->digest_branch = x->scope;
	}
	rc = replica_meta_get_str(&x->r, "scope", old, sizeof(old));
	if (rc == 0 && strcmp(old, x->digest_branch) != 0) {
		fprintf(stderr, "hearth: sync scope changed from %s%s to %s%s; pulling from zero\n",
		        old[0] ? "branch " : "all branches", old, x->digest_branch[0] ? "branch " : "all branches",
		        x->digest_branch);
		if (replica_reset_server(&x->r) != 0) {
			cli_error("sync: cannot reset the replica");
			return EXIT_FAIL;
		}
	}
	if (rc != 0 || strcmp(old, x->digest_branch) != 0) {
		if (replica_meta_set_str(&x->r, "scope", x->digest_branch) != 0) {
			cli_error("sync: cannot store the scope in the replica");
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

int cmd_sync(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "batch", required_argument, NULL, 'b' },
		{ "page", required_argument, NULL, 'p' },
		{ "branch", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	sync_ctx x;
	replica_status st;
	const char *branch_opt = NULL;
	long v;
	size_t events = 0;
	int o, rc, lock_fd = -1, session_opened = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.batch = BATCH_DEFAULT;
	x.page = PAGE_DEFAULT;
	x.s.fd = -1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'j': x.json = 1; break;
		case 'b':
			/* The server refuses more than 1000 ops per push (its hard cap). */
			if (parse_count("sync", "--batch", optarg, 1000, &v))
				return EXIT_USAGE;
			x.batch = (size_t)v;
			break;
		case 'p':
			if (parse_count("sync", "--page", optarg, 10000, &v))
				return EXIT_USAGE;
			x.page = (uint32_t)v;
			break;
		case 'B':
			if (!optarg[0] || strlen(optarg) > 63) {
				cli_error("sync: --branch \"%s\" is not a branch id", optarg);
				return EXIT_USAGE;
			}
			branch_opt = optarg;
			break;
		case 'h':
			printf("usage: hearth sync [--json] [--batch N] [--page N] [--branch ID]\n\n"
			       "Sends the local edits waiting in the outbox to the server (N ops per\n"
			       "request, default %d), then pulls every change made since the last sync\n"
			       "(N records per page, default %d) and checks, by a per-kind count and\n"
			       "digest, that the replica matches the server; if it does not, the replica\n"
			       "re-pulls from zero. Edits that overlap someone else's become conflicts\n"
			       "('hearth conflicts', 'hearth resolve'). --branch (admin and auditor\n"
			       "certificates only) limits the replica to one branch. It is safe to\n"
			       "interrupt: the next sync resumes without losing or doubling anything.\n"
			       "Before anything moves, the client checks as a witness that the server's\n"
			       "signed audit log only grew since the last sync, and refuses otherwise.\n"
			       "Reveals and exports recorded locally are reported to the audit log.\n"
			       "A change the server rejects stays in the replica with the server's\n"
			       "reason ('hearth rejected'); edit it to send it again, or discard it.\n"
			       "Exit status: 0 done, 1 something failed or rejected changes wait, 3 cannot\n"
			       "connect, 4 open conflicts remain, 5 the audit log shrank or was rewritten.\n",
			       BATCH_DEFAULT, PAGE_DEFAULT);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("sync: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	fault_parse(&x.fault);
	x.prog.on = isatty(2);

	if ((rc = cli_open_replica(c, &x.r, "sync")) != EXIT_OK)
		return rc;
	if ((rc = lock_replica(&x.r, &lock_fd)) != EXIT_OK)
		goto fail;
	session_opened = 1;
	/* The witness runs before anything moves: after a refusal nothing is
	 * pushed to or pulled from a server whose audit log shrank or was
	 * rewritten. */
	if ((rc = witness_connect(c, &x.s, &x.r, "sync")) != EXIT_OK)
		goto fail;
	if ((rc = settle_scope(&x, branch_opt)) != EXIT_OK)
		goto fail;
	if ((rc = do_push(&x)) != EXIT_OK)
		goto fail;
	if ((rc = audit_send_events(&x.s, &x.r, "sync", &events)) != EXIT_OK)
		goto fail;
	if ((rc = do_pull(&x)) != EXIT_OK)
		goto fail;
	if ((rc = check_divergence(&x)) != EXIT_OK)
		goto fail;
	replica_set_last_sync(&x.r, session_now_ms());
	if (replica_status_get(&x.r, &st) != 0) {
		cli_error("sync: cannot read the replica's status");
		rc = EXIT_FAIL;
		goto fail;
	}
	if (x.json)
		printf("{\"pushed\":%llu,\"applied\":%llu,\"merged\":%llu,\"conflicts\":%llu,"
		       "\"duplicate\":%llu,\"rejected\":%llu,\"pulled\":%llu,\"open_conflicts\":%llu,"
		       "\"rejected_kept\":%llu,\"cursor\":%llu,\"events\":%zu}\n",
		       (unsigned long long)x.pushed, (unsigned long long)x.applied,
		       (unsigned long long)x.merged, (unsigned long long)x.conflicts,
		       (unsigned long long)x.duplicate, (unsigned long long)x.rejected,
		       (unsigned long long)x.pulled, (unsigned long long)st.open_conflicts,
		       (unsigned long long)st.rejected, (unsigned long long)st.cursor, events);
	else
		printf("sync: pushed %llu (applied %llu, merged %llu, conflicts %llu, duplicate %llu, "
		       "rejected %llu), pulled %llu records, open conflicts %llu\n",
		       (unsigned long long)x.pushed, (unsigned long long)x.applied,
		       (unsigned long long)x.merged, (unsigned long long)x.conflicts,
		       (unsigned long long)x.duplicate, (unsigned long long)x.rejected,
		       (unsigned long long)x.pulled, (unsigned long long)st.open_conflicts);
	if (events && !x.json)
		printf("sync: reported %zu reveal/export event%s to the audit log\n", events,
		       events == 1 ? "" : "s");
	/* Rejected changes are kept (nothing typed is lost) but wait for the
	 * person: the sync is not done while any remain. */
	if (st.rejected && !x.json)
		fprintf(stderr, "hearth: %llu rejected change%s kept in this replica; see 'hearth rejected', "
		                "then edit to send again or 'hearth rejected discard ID'\n",
		        (unsigned long long)st.rejected, st.rejected == 1 ? " is" : "s are");
	rc = x.rejected || st.rejected ? EXIT_FAIL : st.open_conflicts ? EXIT_CONFLICTS : EXIT_OK;
fail:
	progress_clear(&x.prog);
	if (session_opened)
		session_close(&x.s);
	if (lock_fd >= 0)
		close(lock_fd);
	replica_close(&x.r);
	return rc;
}

