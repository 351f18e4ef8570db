/* loadgen.c: a load generator over real TLS sessions to hearthd, for the
 * concurrency tests and the benchmarks in tests/bench.
 *
 *   loadgen --port P --cert C --key K --ca CA [--clients N] MODE-OPTIONS
 *
 * Modes:
 *   --mode ping  [--pings M] [--hold-ms T]   open N sessions at once, ping each
 *   --mode push  --records R [--batch B] [--branch ID]
 *                N threads, each pushing R generated member records (~400
 *                bytes, Chinese names and notes) in batches of B
 *                [--ack-log FILE]: append each acknowledged record id
 *   --mode pull  [--cursor C] [--page P] [--branch ID] [--dump FILE]
 *                one session pulls everything after cursor C; --dump writes
 *                "id rev deleted" per record
 *   --mode flood --handshakes H
 *                N threads share H full handshakes (TLS + Hello), each
 *                session closed at once: every other one without
 *                close_notify, the way a crashed client goes
 *
 * Prints key=value figures on one line: records, seconds, rate (records/s),
 * requests, p50_ms, p99_ms. Exit 0 unless a request failed. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hearth.h"
#include "client/core/session.h"
#include "common/uuid.h"

static profile prof;
static int g_records = 1000, g_batch = 100, g_page = 1000, g_clients = 1;
static const char *g_branch = "b001";
static uint64_t g_cursor = 0;
static FILE *g_ack_log;          /* push: one line per acknowledged record id */
static FILE *g_dump;             /* pull: "id rev deleted" per record */
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴" };
static const char *given[] = { "建国", "秀英", "志强", "桂兰", "海燕", "卫东", "红梅", "永福" };

typedef struct worker {
	int idx;
	int ok;
	long records;
	double *lat;
	size_t nlat;
	char error[800];
} worker;

/* Pushes g_records members in batches; each batch is one request. */
static void *push_worker(void *arg)
{
	worker *w = arg;
	session s;
	int made = 0;

	w->lat = calloc((size_t)g_records / (size_t)g_batch + 2, sizeof(double));
	if (session_open(&s, &prof) != 0) {
		snprintf(w->error, sizeof(w->error), "%s", s.error);
		session_close(&s);
		return NULL;
	}
	while (made < g_records) {
		int n = g_records - made < g_batch ? g_records - made : g_batch;
		Hearth__Op *ops = calloc((size_t)n, sizeof(*ops));
		Hearth__Op **optr = calloc((size_t)n, sizeof(*optr));
		Hearth__Record *recs = calloc((size_t)n, sizeof(*recs));
		Hearth__Member *mems = calloc((size_t)n, sizeof(*mems));
		uint8_t (*ids)[32] = calloc((size_t)n, 32);
		char (*names)[32] = calloc((size_t)n, 32);
		uint32_t changed[] = { 1, 2, 7, 8, 15, 17 };
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__PushRequest pr = HEARTH__PUSH_REQUEST__INIT;
		double t0;

		for (int i = 0; i < n; i++) {
			int k = made + i + w->idx * 7919;
			hearth__op__init(&ops[i]);
			hearth__record__init(&recs[i]);
			hearth__member__init(&mems[i]);
			uuid_v7(ids[i]);
			uuid_v7(ids[i] + 16);
			snprintf(names[i], 32, "%s%s", surnames[k % 10], given[(k / 10) % 8]);
			mems[i].name = names[i];
			mems[i].gender = 1 + k % 2;
			mems[i].category = 1;
			mems[i].join_date = "2001-07-01";
			mems[i].address = "北京市海淀区中关村大街一号院三号楼二单元五零一室";
			mems[i].notes = "长期坚持参加支部组织生活，主动承担社区志愿服务工作，"
			                "群众评价良好。家中老人需要照顾，支部定期走访慰问。"
			                "本人表示将继续发挥党员先锋模范作用。";
			recs[i].id.data = ids[i];
			recs[i].id.len = 16;
			recs[i].kind = HEARTH__KIND__KIND_MEMBER;
			recs[i].branch_id = (char *)g_branch;
			recs[i].body_case = HEARTH__RECORD__BODY_MEMBER;
			recs[i].member = &mems[i];
			ops[i].op_id.data = ids[i] + 16;
			ops[i].op_id.len = 16;
			ops[i].record = &recs[i];
			ops[i].n_changed_fields = sizeof(changed) / sizeof(changed[0]);
			ops[i].changed_fields = changed;
			optr[i] = &ops[i];
		}
		pr.n_ops = (size_t)n;
		pr.ops = optr;
		req.body_case = HEARTH__ENVELOPE__BODY_PUSH;
		req.push = &pr;
		t0 = now_s();
		int rc = session_call(&s, &req, &resp);
		w->lat[w->nlat++] = (now_s() - t0) * 1000.0;
		if (rc == 0 && resp->body_case == HEARTH__ENVELOPE__BODY_PUSH_RESULT) {
			for (size_t i = 0; i < resp->push_result->n_results; i++) {
				Hearth__OpResult *r = resp->push_result->results[i];
				if (r->status == HEARTH__OP_STATUS__OP_APPLIED || r->status == HEARTH__OP_STATUS__OP_DUPLICATE) {
					w->records++;
					if (g_ack_log) {
						char t[UUID_TEXT_LEN + 1];
						uuid_format(ids[i], t);
						pthread_mutex_lock(&g_log_mu);
						fprintf(g_ack_log, "%s\n", t);
						fflush(g_ack_log);
						pthread_mutex_unlock(&g_log_mu);
					}
				}
				else if (!w->error[0])
					snprintf(w->error, sizeof(w->error), "op status %d: %s", r->status,
					         r->error ? r->error->message : "");
			}
		} else if (!w->error[0]) {
			snprintf(w->error, sizeof(w->error), "%s",
			         rc ? s.error : resp->body_case == HEARTH__ENVELOPE__BODY_ERROR ? resp->error->message : "bad reply");
		}
		envelope_free(resp, NULL);
		free(ops);
		free(optr);
		free(recs);
		free(mems);
		free(ids);
		free(names);
		made += n;
		if (w->error[0])
			break;
	}
	w->ok = !w->error[0];
	session_close(&s);
	return NULL;
}

static int run_push(void)
{
	worker *ws = calloc((size_t)g_clients, sizeof(*ws));
	pthread_t *th = calloc((size_t)g_clients, sizeof(*th));
	double t0 = now_s(), secs, *all;
	long total = 0;
	size_t nall = 0, cap = 0;
	int failed = 0;

	for (int i = 0; i < g_clients; i++) {
		ws[i].idx = i;
		pthread_create(&th[i], NULL, push_worker, &ws[i]);
	}
	for (int i = 0; i < g_clients; i++)
		pthread_join(th[i], NULL);
	secs = now_s() - t0;
	for (int i = 0; i < g_clients; i++)
		cap += ws[i].nlat;
	all = calloc(cap + 1, sizeof(double));
	for (int i = 0; i < g_clients; i++) {
		total += ws[i].records;
		memcpy(all + nall, ws[i].lat, ws[i].nlat * sizeof(double));
		nall += ws[i].nlat;
		if (!ws[i].ok) {
			failed++;
			fprintf(stderr, "loadgen: client %d: %s\n", i, ws[i].error);
		}
		free(ws[i].lat);
	}
	qsort(all, nall, sizeof(double), cmp_double);
	printf("mode=push clients=%d records=%ld seconds=%.3f rate=%.0f requests=%zu p50_ms=%.2f p99_ms=%.2f failed=%d\n",
	       g_clients, total, secs, (double)total / secs, nall, nall ? all[nall / 2] : 0.0,
	       nall ? all[(nall * 99) / 100] : 0.0, failed);
	free(all);
	free(ws);
	free(th);
	return failed ? 1 : 0;
}

static int run_pull(void)
{
	session s;
	uint64_t cursor = g_cursor;
	long total = 0;
	size_t reqs = 0;
	double t0, secs;
	int more = 1;

	if (session_open(&s, &prof) != 0) {
		fprintf(stderr, "loadgen: %s\n", s.error);
		session_close(&s);
		return 1;
	}
	t0 = now_s();
	while (more) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__PullRequest pr = HEARTH__PULL_REQUEST__INIT;
		pr.cursor = cursor;
		pr.limit = (uint32_t)g_page;
		pr.branch_id = (char *)(g_branch[0] ? g_branch : "");
		req.body_case = HEARTH__ENVELOPE__BODY_PULL;
		req.pull = &pr;
		if (session_call(&s, &req, &resp) != 0 || resp->body_case != HEARTH__ENVELOPE__BODY_PULL_RESULT) {
			fprintf(stderr, "loadgen: pull failed: %s\n",
			        resp && resp->body_case == HEARTH__ENVELOPE__BODY_ERROR ? resp->error->message : s.error);
			envelope_free(resp, NULL);
			session_close(&s);
			return 1;
		}
		total += (long)resp->pull_result->n_records;
		for (size_t i = 0; g_dump && i < resp->pull_result->n_records; i++) {
			Hearth__Record *r = resp->pull_result->records[i];
			char t[UUID_TEXT_LEN + 1] = "?";
			if (r->id.len == 16)
				uuid_format(r->id.data, t);
			fprintf(g_dump, "%s %llu %d\n", t, (unsigned long long)r->rev, r->deleted);
		}
		cursor = resp->pull_result->cursor;
		more = resp->pull_result->more;
		reqs++;
		envelope_free(resp, NULL);
	}
	secs = now_s() - t0;
	printf("mode=pull records=%ld seconds=%.3f rate=%.0f requests=%zu cursor=%llu ms=%.2f\n", total, secs,
	       secs > 0 ? (double)total / secs : 0.0, reqs, (unsigned long long)cursor, secs * 1000.0);
	session_close(&s);
	return 0;
}

static int g_handshakes = 2000;
static long g_flood_ok, g_flood_failed;
static int g_flood_next;

static void *flood_worker(void *arg)
{
	(void)arg;
	for (;;) {
		session s;
		int i, ok;

		pthread_mutex_lock(&g_log_mu);
		i = g_flood_next < g_handshakes ? g_flood_next++ : -1;
		pthread_mutex_unlock(&g_log_mu);
		if (i < 0)
			break;
		ok = session_open(&s, &prof) == 0;
		if (ok && i % 2)
			s.fail = SESSION_PROTOCOL; /* hang up without close_notify */
		session_close(&s);
		pthread_mutex_lock(&g_log_mu);
		if (ok)
			g_flood_ok++;
		else
			g_flood_failed++;
		pthread_mutex_unlock(&g_log_mu);
	}
	return NULL;
}

static int run_flood(void)
{
	pthread_t *th = calloc((size_t)g_clients, sizeof(*th));
	double t0 = now_s(), secs;

	for (int i = 0; i < g_clients; i++)
		pthread_create(&th[i], NULL, flood_worker, NULL);
	for (int i = 0; i < g_clients; i++)
		pthread_join(th[i], NULL);
	secs = now_s() - t0;
	printf("mode=flood handshakes=%d ok=%ld failed=%ld seconds=%.3f rate=%.0f\n", g_handshakes,
	       g_flood_ok, g_flood_failed, secs, secs > 0 ? (double)g_flood_ok / secs : 0.0);
	free(th);
	return g_flood_failed ? 1 : 0;
}

static int run_ping(int pings, int hold)
{
	session *ss = calloc((size_t)g_clients, sizeof(*ss));
	int opened = 0, pinged = 0, failed = 0;

	for (int i = 0; i < g_clients; i++) {
		if (session_open(&ss[i], &prof) == 0) {
			opened++;
		} else {
			fprintf(stderr, "loadgen: session %d: %s\n", i, ss[i].error);
			failed++;
		}
	}
	for (int i = 0; i < g_clients; i++) {
		int ok = ss[i].welcome != NULL;
		for (int k = 0; ok && k < pings; k++) {
			Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
			Hearth__Ping p = HEARTH__PING__INIT;
			Hearth__Envelope *resp = NULL;
			req.body_case = HEARTH__ENVELOPE__BODY_PING;
			req.ping = &p;
			if (session_call(&ss[i], &req, &resp) != 0 || resp->body_case != HEARTH__ENVELOPE__BODY_PONG)
				ok = 0;
			envelope_free(resp, NULL);
		}
		if (ok)
			pinged++;
		else if (ss[i].welcome)
			failed++;
	}
	printf("opened=%d pinged=%d failed=%d\n", opened, pinged, failed);
	fflush(stdout);
	if (hold > 0)
		usleep((useconds_t)hold * 1000);
	for (int i = 0; i < g_clients; i++)
		session_close(&ss[i]);
	free(ss);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },    { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },     { "ca", required_argument, NULL, 'a' },
		{ "clients", required_argument, NULL, 'n' }, { "pings", required_argument, NULL, 'm' },
		{ "hold-ms", required_argument, NULL, 'H' }, { "mode", required_argument, NULL, 'M' },
		{ "records", required_argument, NULL, 'r' }, { "batch", required_argument, NULL, 'b' },
		{ "page", required_argument, NULL, 'P' },    { "cursor", required_argument, NULL, 'C' },
		{ "branch", required_argument, NULL, 'B' },  { "ack-log", required_argument, NULL, 'A' },
		{ "dump", required_argument, NULL, 'D' },
		{ "handshakes", required_argument, NULL, 'F' }, { NULL, 0, NULL, 0 },
	};
	const char *mode = "ping";
	char server[64];
	int port = 0, pings = 1, hold = 0, o;

	memset(&prof, 0, sizeof(prof));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'n': g_clients = atoi(optarg); break;
		case 'm': pings = atoi(optarg); break;
		case 'H': hold = atoi(optarg); break;
		case 'M': mode = optarg; break;
		case 'r': g_records = atoi(optarg); break;
		case 'b': g_batch = atoi(optarg); break;
		case 'P': g_page = atoi(optarg); break;
		case 'C': g_cursor = strtoull(optarg, NULL, 10); break;
		case 'B': g_branch = optarg; break;
		case 'A': g_ack_log = fopen(optarg, "a"); break;
		case 'D': g_dump = fopen(optarg, "w"); break;
		case 'F': g_handshakes = atoi(optarg); break;
		default: return 2;
		}
	}
	if (g_clients < 1 || g_clients > 10000 || g_batch < 1 || g_records < 0)
		return 2;
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (!strcmp(mode, "ping"))
		return run_ping(pings, hold);
	if (!strcmp(mode, "push"))
		return run_push();
	if (!strcmp(mode, "flood"))
		return run_flood();
	if (!strcmp(mode, "pull")) {
		int rc = run_pull();
		if (g_dump)
			fclose(g_dump);
		return rc;
	}
	fprintf(stderr, "loadgen: unknown mode %s\n", mode);
	return 2;
}
