/* sync.c: the commands that move a replica's changes to and from hearthd
 * (sync) and show or settle what it holds (status, conflicts, resolve).
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
#include "common/utf8.h"
#include "common/uuid.h"
#include "client/core/witness.h"

#define BATCH_DEFAULT 500
#define PAGE_DEFAULT 1000
#define SET_MAX 64

/* ---------------------------------------------------------- shared bits */

/* Opens this profile's replica; prints why not and returns the exit code. */
static int open_replica(cli *c, replica *r, const char *cmd)
{
	char err[1400];
	int rc = cli_load_profile(c);

	memset(r, 0, sizeof(*r));
	if (rc != EXIT_OK)
		return rc;
	rc = replica_open(r, c->prof.home, err, sizeof(err));
	if (rc != 0) {
		cli_error("%s: %s", cmd, err);
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	return EXIT_OK;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void local_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, cap, "never");
}

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
	if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		const Hearth__Error *e = resp->error;
		if (e->field && e->field[0])
			cli_error("sync: the server refused the %s: %s (field %s)", what, e->message, e->field);
		else
			cli_error("sync: the server refused the %s: %s", what, e->message);
	} else {
		cli_error("sync: the server answered the %s with %s", what, envelope_body_name(resp));
	}
	return EXIT_FAIL;
}

static int lost(sync_ctx *x)
{
	progress_clear(&x->prog);
	cli_error("sync: %s", x->s.error);
	return session_exit_code(&x->s) ? session_exit_code(&x->s) : EXIT_CONNECT;
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
		snprintf(msg, cap, "replica is ahead of the server (cursor %llu here, %llu there)",
		         (unsigned long long)cursor, (unsigned long long)resp->digest_result->cursor);
		*same = 0;
		envelope_free(resp, NULL);
		return EXIT_OK;
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
			       "Exit status: 0 done, 1 something was rejected or failed, 3 cannot\n"
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

	if ((rc = open_replica(c, &x.r, "sync")) != EXIT_OK)
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
		       "\"cursor\":%llu,\"events\":%zu}\n",
		       (unsigned long long)x.pushed, (unsigned long long)x.applied,
		       (unsigned long long)x.merged, (unsigned long long)x.conflicts,
		       (unsigned long long)x.duplicate, (unsigned long long)x.rejected,
		       (unsigned long long)x.pulled, (unsigned long long)st.open_conflicts,
		       (unsigned long long)st.cursor, events);
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
	rc = x.rejected ? EXIT_FAIL : st.open_conflicts ? EXIT_CONFLICTS : EXIT_OK;
fail:
	progress_clear(&x.prog);
	if (session_opened)
		session_close(&x.s);
	if (lock_fd >= 0)
		close(lock_fd);
	replica_close(&x.r);
	return rc;
}

/* ---------------------------------------------------------- status */

int cmd_status(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	replica r;
	replica_status st;
	char when[64], branch[128], idt[UUID_TEXT_LEN + 1];
	int json = 0, o, rc;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf("usage: hearth status [--json]\n\n"
			       "Shows the local replica without connecting: edits waiting to be sent\n"
			       "(pending ops), the server change sequence it has pulled up to (cursor),\n"
			       "how many records it holds (deleted ones not counted), open conflicts,\n"
			       "and when it last synced (local time).\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error("status: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = open_replica(c, &r, "status")) != EXIT_OK)
		return rc;
	if ((rc = replica_status_get(&r, &st)) != 0) {
		cli_error("status: cannot read the local replica: %s", hearth_strerror(rc));
		replica_close(&r);
		return EXIT_FAIL;
	}
	replica_meta_get_str(&r, "branch", branch, sizeof(branch));
	uuid_format(r.replica_id, idt);
	local_time(st.last_sync_ms, when, sizeof(when));
	if (json) {
		printf("{\"pending_ops\":%llu,\"cursor\":%llu,\"records\":%llu,\"open_conflicts\":%llu,"
		       "\"last_sync\":",
		       (unsigned long long)st.pending_ops, (unsigned long long)st.cursor,
		       (unsigned long long)st.records, (unsigned long long)st.open_conflicts);
		if (st.last_sync_ms)
			json_str(stdout, when);
		else
			fputs("null", stdout);
		printf(",\"last_sync_ms\":%lld,\"branch\":", (long long)st.last_sync_ms);
		json_str(stdout, branch);
		printf(",\"replica_id\":\"%s\"}\n", idt);
	} else {
		printf("pending ops:     %llu\n", (unsigned long long)st.pending_ops);
		printf("cursor:          %llu\n", (unsigned long long)st.cursor);
		printf("records:         %llu\n", (unsigned long long)st.records);
		printf("open conflicts:  %llu\n", (unsigned long long)st.open_conflicts);
		printf("last sync:       %s\n", when);
		if (branch[0])
			printf("branch:          %s\n", branch);
		printf("replica:         %s\n", idt);
	}
	replica_close(&r);
	return EXIT_OK;
}

/* ---------------------------------------------------------- conflicts */

static const char *bool_word(int b)
{
	return b ? "yes" : "no";
}

/* One element of a field, for people. */
static void put_elem(FILE *f, const kind_info *k, const ProtobufCFieldDescriptor *fd, const void *p)
{
	const field_rule *rule = kind_rule(k, fd->id);

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: fputs(*(char *const *)p ? *(char *const *)p : "", f); break;
	case PROTOBUF_C_TYPE_ENUM:
		fputs(enum_label((const ProtobufCEnumDescriptor *)fd->descriptor, *(const int *)p), f);
		break;
	case PROTOBUF_C_TYPE_BOOL: fputs(bool_word(*(const protobuf_c_boolean *)p), f); break;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32: fprintf(f, "%d", *(const int32_t *)p); break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: fprintf(f, "%u", *(const uint32_t *)p); break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: fprintf(f, "%lld", (long long)*(const int64_t *)p); break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT: fprintf(f, "%g", (double)*(const float *)p); break;
	case PROTOBUF_C_TYPE_DOUBLE: fprintf(f, "%g", *(const double *)p); break;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		if (rule && (rule->flags & FIELD_ID) && b->len == UUID_LEN) {
			char idt[UUID_TEXT_LEN + 1];
			uuid_format(b->data, idt);
			fputs(idt, f);
		} else {
			for (size_t i = 0; i < b->len; i++)
				fprintf(f, "%02x", b->data[i]);
		}
		break;
	}
	default: fputs("(message)", f); break;
	}
}

static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: return 8;
	case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
	default: return 4;
	}
}

/* A conflict value (the field's encoded bytes, tag included) for people:
 * unpacked as a body of the kind holding only that field, then printed by
 * the field's type. Returns a malloc'd string. */
static char *decode_value(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len)
{
	const ProtobufCFieldDescriptor *fd;
	ProtobufCMessage *m = NULL;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	if (len == 0)
		return strdup("(empty)");
	fd = k ? protobuf_c_message_descriptor_get_field(k->desc, field) : NULL;
	if (fd)
		m = protobuf_c_message_unpack(k->desc, NULL, len, bytes);
	if (!fd || !m) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return strdup(fd ? "(cannot decode)" : "(unknown field)");
	}
	f = open_memstream(&out, &out_len);
	if (!f) {
		protobuf_c_message_free_unpacked(m, NULL);
		return NULL;
	}
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n = *(const size_t *)((const char *)m + fd->quantifier_offset);
		const char *arr = *(char *const *)((const char *)m + fd->offset);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', f);
			put_elem(f, k, fd, arr + i * elem_size(fd->type));
		}
		if (n == 0)
			fputs("(empty)", f);
	} else {
		put_elem(f, k, fd, (const char *)m + fd->offset);
	}
	fclose(f);
	protobuf_c_message_free_unpacked(m, NULL);
	return out;
}

char *sync_field_text(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len)
{
	return decode_value(k, field, bytes, len);
}

static const char *field_name(const kind_info *k, uint32_t number, char *buf, size_t cap)
{
	const ProtobufCFieldDescriptor *fd = k ? protobuf_c_message_descriptor_get_field(k->desc, number) : NULL;
	if (fd)
		return fd->name;
	snprintf(buf, cap, "field%u", number);
	return buf;
}

/* Prints s and pads to cols terminal columns (CJK counts two), cutting
 * what does not fit with an ellipsis. */
static void put_cell(const char *s, size_t cols)
{
	char cut[512];
	size_t w = utf8_truncate(s, cols, cut, sizeof(cut));
	fputs(cut, stdout);
	for (; w < cols; w++)
		fputc(' ', stdout);
}

typedef struct conflicts_ctx {
	const replica *r;
	int json;
	size_t n;
	int failed;
	const char *branch;    /* only this branch's conflicts; NULL: all */
	int show_branch;       /* name each conflict's branch (admin console) */
} conflicts_ctx;

static int mine_is_op(const replica *r, const Hearth__Conflict *c)
{
	return c->op_replica.len == UUID_LEN && memcmp(c->op_replica.data, r->replica_id, UUID_LEN) == 0;
}

static int print_conflict(void *ctx, const Hearth__Conflict *c)
{
	conflicts_ctx *x = ctx;
	const kind_info *k = kind_find(c->kind);
	char cid[UUID_TEXT_LEN + 1] = "?", rid[UUID_TEXT_LEN + 1] = "?", when[64], nb[32];
	int op_mine = mine_is_op(x->r, c);

	if (x->branch && strcmp(x->branch, c->branch_id ? c->branch_id : "") != 0)
		return 0;
	if (c->id.len == UUID_LEN)
		uuid_format(c->id.data, cid);
	if (c->record_id.len == UUID_LEN)
		uuid_format(c->record_id.data, rid);
	local_time(c->created_at, when, sizeof(when));
	if (x->json) {
		printf("%s{\"id\":\"%s\",\"kind\":\"%s\",\"record\":\"%s\",\"branch\":",
		       x->n ? "," : "", cid, k ? k->name : "unknown", rid);
		json_str(stdout, c->branch_id);
		printf(",\"state\":\"%s\",\"delete_conflict\":%s,\"server_deleted\":%s,\"fields\":[",
		       c->state == HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED ? "resolved" : "open",
		       c->delete_conflict ? "true" : "false", c->server_deleted ? "true" : "false");
		for (size_t i = 0; i < c->n_fields; i++) {
			const Hearth__ConflictField *cf = c->fields[i];
			char *sv = decode_value(k, cf->field, cf->server_value.data, cf->server_value.len);
			char *ov = decode_value(k, cf->field, cf->op_value.data, cf->op_value.len);
			printf("%s{\"field\":", i ? "," : "");
			json_str(stdout, field_name(k, cf->field, nb, sizeof(nb)));
			fputs(",\"server\":", stdout);
			json_str(stdout, sv ? sv : "");
			fputs(",\"other\":", stdout);
			json_str(stdout, ov ? ov : "");
			printf(",\"mine\":\"%s\"}", op_mine ? "other" : "server");
			free(sv);
			free(ov);
		}
		fputs("],\"server_by\":", stdout);
		json_str(stdout, c->server_by);
		fputs(",\"op_by\":", stdout);
		json_str(stdout, c->op_by);
		printf(",\"created_at\":%lld}", (long long)c->created_at);
	} else {
		if (x->n)
			putchar('\n');
		printf("conflict %s  %s (%s) %s", cid, k ? k->name : "record", k ? k->label : "?", rid);
		if (x->show_branch)
			printf("  branch %s", c->branch_id);
		putchar('\n');
		printf("  opened %s; server side by %s%s, other side by %s%s\n", when,
		       c->server_by[0] ? c->server_by : "?", op_mine ? "" : " (mine)",
		       c->op_by[0] ? c->op_by : "?", op_mine ? " (mine)" : "");
		if (c->delete_conflict)
			printf("  %s\n", c->server_deleted
			                     ? "the server side deleted this record; the other side edited it"
			                     : "the other side deleted this record; the server side edited it");
		if (c->n_fields) {
			printf("  ");
			put_cell("FIELD", 28);
			put_cell(op_mine ? "SERVER" : "SERVER (mine)", 32);
			printf("%s\n", op_mine ? "OTHER (mine)" : "OTHER");
		}
		for (size_t i = 0; i < c->n_fields; i++) {
			const Hearth__ConflictField *cf = c->fields[i];
			const field_rule *rule = k ? kind_rule(k, cf->field) : NULL;
			char *sv = decode_value(k, cf->field, cf->server_value.data, cf->server_value.len);
			char *ov = decode_value(k, cf->field, cf->op_value.data, cf->op_value.len);
			char label[160];
			snprintf(label, sizeof(label), "%s %s", field_name(k, cf->field, nb, sizeof(nb)),
			         rule && rule->label ? rule->label : "");
			printf("  ");
			put_cell(label, 28);
			put_cell(sv ? sv : "?", 32);
			printf("%s\n", ov ? ov : "?");
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	conflicts_ctx x = { NULL, 0, 0, 0, NULL, 0 };
	int o;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			x.json = 1;
		else if (o == 'h') {
			printf("usage: hearth conflicts [--json]\n\n"
			       "Lists the open conflicts this replica knows of (from the last 'hearth\n"
			       "sync'), oldest first: for each, the record, who made each side and when,\n"
			       "and per field the server's value and the other side's value, with the\n"
			       "side that came from this replica marked \"mine\". Settle one with\n"
			       "'hearth resolve CONFLICT --keep mine|theirs' or '--set FIELD=VALUE'.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error("conflicts: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	return sync_print_conflicts(c, "conflicts", NULL, x.json, 0);
}

int sync_print_conflicts(cli *c, const char *cmd, const char *branch, int json, int show_branch)
{
	conflicts_ctx x = { NULL, json, 0, 0, branch, show_branch };
	replica r;
	int rc;

	if ((rc = open_replica(c, &r, cmd)) != EXIT_OK)
		return rc;
	x.r = &r;
	if (x.json)
		putchar('[');
	rc = replica_each_conflict(&r, print_conflict, &x);
	if (x.json)
		puts("]");
	else if (rc == 0 && x.n == 0)
		puts(branch ? "no open conflicts in this branch" : "no open conflicts");
	replica_close(&r);
	if (rc != 0) {
		cli_error("%s: cannot read the local replica: %s", cmd, hearth_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ---------------------------------------------------------- resolve */

static int parse_bool(const char *s, protobuf_c_boolean *out)
{
	static const char *yes[] = { "true", "yes", "y", "1", "on", "是" };
	static const char *no[] = { "false", "no", "n", "0", "off", "否", "" };
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(yes); i++)
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(no); i++)
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	return -1;
}

/* Encodes VALUE for one field of kind k as that field's wire bytes (tag
 * included; empty when the value is the default), by packing a body that
 * holds only it. Prints the reason and returns EXIT_USAGE when VALUE does
 * not fit the field's type. */
static int encode_set(replica *r, const kind_info *k, const ProtobufCFieldDescriptor *fd,
                      const char *value, uint8_t **out, size_t *len)
{
	ProtobufCMessage *m = calloc(1, k->desc->sizeof_message);
	void *slot, *arr = NULL;
	char *copy = NULL;
	size_t n = 0;
	int rc = EXIT_USAGE;
	char err[300];

	*out = NULL;
	*len = 0;
	if (!m) {
		cli_error("resolve: out of memory");
		return EXIT_FAIL;
	}
	protobuf_c_message_init(k->desc, m);
	slot = (char *)m + fd->offset;
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		char *save = NULL, *tok;
		if (fd->type != PROTOBUF_C_TYPE_ENUM && fd->type != PROTOBUF_C_TYPE_STRING) {
			cli_error("resolve: --set %s: this field cannot be set from the command line", fd->name);
			goto fail;
		}
		copy = strdup(value);
		arr = calloc(strlen(value) / 2 + 2, sizeof(void *) > sizeof(int) ? sizeof(void *) : sizeof(int));
		if (!copy || !arr) {
			cli_error("resolve: out of memory");
			rc = EXIT_FAIL;
			goto fail;
		}
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (fd->type == PROTOBUF_C_TYPE_ENUM) {
				int ev;
				if (enum_parse(fd->descriptor, tok, &ev) != 0) {
					cli_error("resolve: --set %s: \"%s\" is not one of its values", fd->name, tok);
					goto fail;
				}
				((int *)arr)[n++] = ev;
			} else {
				((char **)arr)[n++] = tok;
			}
		}
		*(size_t *)((char *)m + fd->quantifier_offset) = n;
		*(void **)slot = arr;
	} else if (value[0] != '\0') {
		char *end;
		switch (fd->type) {
		case PROTOBUF_C_TYPE_STRING: *(const char **)slot = value; break;
		case PROTOBUF_C_TYPE_ENUM:
			if (enum_parse(fd->descriptor, value, (int *)slot) != 0) {
				cli_error("resolve: --set %s: \"%s\" is not one of its values", fd->name, value);
				goto fail;
			}
			break;
		case PROTOBUF_C_TYPE_BOOL:
			if (parse_bool(value, slot) != 0) {
				cli_error("resolve: --set %s: \"%s\" is not yes or no", fd->name, value);
				goto fail;
			}
			break;
		case PROTOBUF_C_TYPE_INT64:
		case PROTOBUF_C_TYPE_SINT64:
		case PROTOBUF_C_TYPE_SFIXED64:
			*(int64_t *)slot = strtoll(value, &end, 10);
			if (*end) {
				cli_error("resolve: --set %s: \"%s\" is not a whole number%s", fd->name, value,
				          kind_rule(k, fd->id) && (kind_rule(k, fd->id)->flags & FIELD_MONEY)
				                  ? " of fen (1 yuan = 100 fen)"
				                  : "");
				goto fail;
			}
			break;
		case PROTOBUF_C_TYPE_INT32:
		case PROTOBUF_C_TYPE_UINT32:
		case PROTOBUF_C_TYPE_UINT64: {
			unsigned long long uv = strtoull(value, &end, 10);
			if (*end || value[0] == '-') {
				cli_error("resolve: --set %s: \"%s\" is not a whole number", fd->name, value);
				goto fail;
			}
			if (fd->type == PROTOBUF_C_TYPE_UINT64)
				*(uint64_t *)slot = uv;
			else
				*(uint32_t *)slot = (uint32_t)uv;
			break;
		}
		case PROTOBUF_C_TYPE_BYTES: {
			uint8_t *id = malloc(UUID_LEN);
			ProtobufCBinaryData *b = slot;
			if (!id) {
				rc = EXIT_FAIL;
				goto fail;
			}
			if (replica_resolve_id(r, value, id, err, sizeof(err)) != 0) {
				cli_error("resolve: --set %s: %s", fd->name, err);
				free(id);
				goto fail;
			}
			b->data = id;
			b->len = UUID_LEN;
			arr = id;
			break;
		}
		default:
			cli_error("resolve: --set %s: this field cannot be set from the command line", fd->name);
			goto fail;
		}
	}
	*len = protobuf_c_message_get_packed_size(m);
	*out = malloc(*len ? *len : 1);
	if (!*out) {
		rc = EXIT_FAIL;
		goto fail;
	}
	protobuf_c_message_pack(m, *out);
	rc = EXIT_OK;
fail:
	free(arr);
	free(copy);
	free(m);
	return rc;
}

/* Finds FIELD among the conflict's fields: the proto name, or the same
 * with '-' for '_'. */
static const ProtobufCFieldDescriptor *conflict_field(const kind_info *k, const Hearth__Conflict *c,
                                                      const char *name)
{
	char norm[64];
	const ProtobufCFieldDescriptor *fd;
	size_t i;

	for (i = 0; name[i] && i < sizeof(norm) - 1; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	norm[i] = '\0';
	fd = protobuf_c_message_descriptor_get_field_by_name(k->desc, norm);
	if (!fd)
		return NULL;
	for (i = 0; i < c->n_fields; i++)
		if (c->fields[i]->field == fd->id)
			return fd;
	return NULL;
}

static void list_conflict_fields(const kind_info *k, const Hearth__Conflict *c, char *out, size_t cap)
{
	size_t o = 0;
	char nb[32];
	out[0] = '\0';
	for (size_t i = 0; i < c->n_fields && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "",
		                      field_name(k, c->fields[i]->field, nb, sizeof(nb)));
}

int cmd_resolve(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keep = NULL, *sets[SET_MAX];
	size_t n_sets = 0, body_len = 0, srv_len = 0;
	replica r;
	Hearth__Conflict *cf = NULL;
	Hearth__Record *srv = NULL;
	const kind_info *k;
	fieldmap fm = FIELDMAP_INIT;
	uint8_t *body = NULL, *srv_body = NULL;
	char err[1400], cid[UUID_TEXT_LEN + 1];
	int o, rc, keep_op = 0, del = 0, opened = 0;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'k': keep = optarg; break;
		case 's':
			if (n_sets == SET_MAX) {
				cli_error("resolve: at most %d --set options", SET_MAX);
				return EXIT_USAGE;
			}
			sets[n_sets++] = optarg;
			break;
		case 'h':
			printf("usage: hearth resolve CONFLICT (--keep mine|theirs | --set FIELD=VALUE ...)\n\n"
			       "Settles an open conflict (see 'hearth conflicts'; CONFLICT is its id or a\n"
			       "unique prefix of at least 4 hex digits). --keep mine takes, for every\n"
			       "conflicting field, the value that came from this replica, --keep theirs\n"
			       "the other one; --set FIELD=VALUE (repeatable; FIELD as in 'hearth\n"
			       "conflicts', '-' may stand for '_'; enums by name or Chinese label, money\n"
			       "in fen, lists comma-separated, empty VALUE clears) gives a value of your\n"
			       "own, and conflicting fields not named keep the server's value. For a\n"
			       "delete conflict, keeping the deleting side deletes the record and keeping\n"
			       "the editing side keeps it. The resolution is an ordinary edit: it goes\n"
			       "to the server, and closes the conflict there, on the next 'hearth sync'.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("resolve: which conflict? see 'hearth conflicts' and 'hearth resolve --help'");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		cli_error("resolve: unexpected argument \"%s\"", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if ((keep && n_sets) || (!keep && !n_sets)) {
		cli_error("resolve: give either --keep mine|theirs or one or more --set FIELD=VALUE");
		return EXIT_USAGE;
	}
	if (keep && strcmp(keep, "mine") && strcmp(keep, "theirs")) {
		cli_error("resolve: --keep \"%s\": say mine or theirs", keep);
		return EXIT_USAGE;
	}
	if ((rc = open_replica(c, &r, "resolve")) != EXIT_OK)
		return rc;
	opened = 1;
	rc = replica_get_conflict(&r, argv[optind], &cf, err, sizeof(err));
	if (rc != 0) {
		cli_error("resolve: %s", err);
		rc = rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
		goto fail;
	}
	uuid_format(cf->id.data, cid);
	k = kind_find(cf->kind);
	if (!k || cf->record_id.len != UUID_LEN) {
		cli_error("resolve: conflict %s is about a kind of record this hearth does not know; "
		          "upgrade hearth",
		          cid);
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = replica_get_server(&r, cf->record_id.data, &srv)) != 0) {
		cli_error("resolve: the record of conflict %s is not in the local replica; run 'hearth "
		          "sync' first",
		          cid);
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = record_pack_body(srv, &srv_body, &srv_len)) != 0 && srv->body_case) {
		cli_error("resolve: the server copy of the record is damaged: %s", hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = fieldmap_parse(srv_body, srv_len, &fm)) != 0) {
		cli_error("resolve: the server copy of the record is damaged: %s", hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (keep) {
		/* The op side is "mine" when this replica pushed the op. */
		keep_op = (strcmp(keep, "mine") == 0) == mine_is_op(&r, cf);
		for (size_t i = 0; i < cf->n_fields; i++) {
			const Hearth__ConflictField *f = cf->fields[i];
			const ProtobufCBinaryData *v = keep_op ? &f->op_value : &f->server_value;
			if (fieldmap_set(&fm, f->field, v->data, v->len) != 0) {
				cli_error("resolve: out of memory");
				rc = EXIT_FAIL;
				goto fail;
			}
		}
		/* Server deleted, op edited: the op side is the edit. Op deleted,
		 * server edited: the op side is the delete. */
		del = cf->delete_conflict && (cf->server_deleted ? !keep_op : keep_op);
	} else {
		char names[600];
		for (size_t i = 0; i < n_sets; i++) {
			const char *eq = strchr(sets[i], '=');
			char fname[64];
			const ProtobufCFieldDescriptor *fd;
			uint8_t *enc;
			size_t enc_len;

			if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof(fname)) {
				cli_error("resolve: --set \"%s\" is not FIELD=VALUE", sets[i]);
				rc = EXIT_USAGE;
				goto fail;
			}
			memcpy(fname, sets[i], (size_t)(eq - sets[i]));
			fname[eq - sets[i]] = '\0';
			fd = conflict_field(k, cf, fname);
			if (!fd) {
				list_conflict_fields(k, cf, names, sizeof(names));
				cli_error("resolve: --set %s: not one of this conflict's fields (%s)", fname,
				          names[0] ? names : "none: use --keep");
				rc = EXIT_USAGE;
				goto fail;
			}
			if ((rc = encode_set(&r, k, fd, eq + 1, &enc, &enc_len)) != EXIT_OK)
				goto fail;
			rc = fieldmap_set(&fm, fd->id, enc, enc_len);
			free(enc);
			if (rc != 0) {
				cli_error("resolve: out of memory");
				rc = EXIT_FAIL;
				goto fail;
			}
		}
		del = 0;
	}
	if ((rc = fieldmap_build(&fm, &body, &body_len)) != 0) {
		cli_error("resolve: out of memory");
		rc = EXIT_FAIL;
		goto fail;
	}
	if (!del) {
		record_error rerr;
		if (record_validate_body(k, body, body_len, &rerr) != 0) {
			cli_error("resolve: %s", rerr.message);
			rc = n_sets ? EXIT_USAGE : EXIT_FAIL;
			goto fail;
		}
	}
	if ((rc = record_set_body(srv, k, body, body_len)) != 0) {
		cli_error("resolve: cannot build the record: %s", hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = replica_resolve(&r, cf, srv, del, err, sizeof(err))) != 0) {
		cli_error("resolve: %s", err);
		rc = EXIT_FAIL;
		goto fail;
	}
	printf("resolved %s; run 'hearth sync' to send it\n", cid);
	rc = EXIT_OK;
fail:
	free(body);
	fieldmap_free(&fm);
	free(srv_body);
	if (srv)
		hearth__record__free_unpacked(srv, NULL);
	if (cf)
		hearth__conflict__free_unpacked(cf, NULL);
	if (opened)
		replica_close(&r);
	return rc;
}
