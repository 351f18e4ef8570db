/* ui.c: the `hearth ui` command: its options, the browser, the signals it
 * stops on, and the sync the page's 同步 button runs (the engine of `hearth
 * sync` with its witness checks, which live in this layer). */
#include "client/cmd/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/cmd/attach.h"
#include "client/cmd/audit_query.h"
#include "client/cmd/witness.h"
#include "client/core/witness.h"
#include "client/core/replica_meta.h"
#include "client/core/sync.h"
#include "client/ui/web_server.h"
#include "common/hearth.h"
#include "common/i18n.h"

extern char **environ;

/* What the sync hooks need: the command's context and the exit code of a
 * witness refusal (the witness printed why on the terminal). */
typedef struct ui_sync {
	cli *c;
	sync_ctx *x;
	int exit;
	web_sync_summary *out;
} ui_sync;

static int on_push_checkpoint(void *arg, const Hearth__Checkpoint *cp)
{
	ui_sync *u = arg;
	return (u->exit = witness_pin_push(u->c, &u->x->s, &u->x->r, cp, "ui")) != EXIT_OK;
}

static int on_cursor_behind(void *arg, uint64_t ours, uint64_t theirs)
{
	ui_sync *u = arg;
	return (u->exit = witness_check_cursor(u->c, ours, theirs, "ui")) != EXIT_OK;
}

static void on_progress(void *arg, const char *what, uint64_t done, uint64_t total)
{
	ui_sync *u = arg;

	if (u->out->progress)
		u->out->progress(u->out->progress_arg, what, done, total);
}

static void on_refused(void *arg, const char *what, const Hearth__Envelope *resp)
{
	ui_sync *u = arg;
	const char *msg = resp && resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error &&
	                          resp->error->message ? resp->error->message : "";

	snprintf(u->out->message, sizeof(u->out->message), _("the server refused the %s: %s"), what, msg);
}

/* The sentence the page shows for what the engine said. */
static void engine_message(const sync_ctx *x, sync_result res, ui_sync *u)
{
	web_sync_summary *o = u->out;

	switch (res) {
	case SYNC_OK:
		return;
	case SYNC_LOST:
		snprintf(o->message, sizeof(o->message),
		         _("cannot reach the server (%s); the work stays in this replica, try 同步 later"),
		         x->s.error);
		return;
	case SYNC_REFUSED:
		if (!o->message[0])
			snprintf(o->message, sizeof(o->message), _("the server refused the sync"));
		return;
	case SYNC_WITNESS:
		snprintf(o->message, sizeof(o->message),
		         _("the server's audit log does not match what this replica saw; nothing was "
		           "synced (the terminal running 'hearth ui' says why)"));
		return;
	case SYNC_HOSTILE:
		snprintf(o->message, sizeof(o->message),
		         _("the server broke the sync protocol: %s; nothing of that answer was stored"),
		         x->err);
		return;
	default:
		snprintf(o->message, sizeof(o->message), "%s", x->err);
		return;
	}
}

/* One sync of the profile's replica, as `hearth sync` runs it: witness
 * first, then push, events, pull, digest. The web API holds its lock, so
 * no page request runs meanwhile; the replica it opens is the process's
 * one environment, which cmd_ui keeps open. */
static int ui_run_sync(void *arg, web_sync_summary *out)
{
	cli *c = arg;
	sync_options so;
	sync_ctx x;
	ui_sync u = { .c = c, .x = &x, .exit = EXIT_OK, .out = out };
	sync_result res;
	int session_opened = 0;

	memset(&so, 0, sizeof(so));
	so.batch = SYNC_BATCH_DEFAULT;
	so.page = SYNC_PAGE_DEFAULT;
	so.hooks.refused = on_refused;
	so.hooks.progress = on_progress;
	so.hooks.push_checkpoint = on_push_checkpoint;
	so.hooks.cursor_behind = on_cursor_behind;
	so.hooks.arg = &u;
	sync_init(&x, &so);
	if (cli_open_replica(c, &x.r, "ui") != EXIT_OK) {
		snprintf(out->message, sizeof(out->message), _("cannot open the local replica"));
		goto done;
	}
	if ((res = sync_begin(&x)) != SYNC_OK) {
		engine_message(&x, res, &u);
		goto done;
	}
	session_opened = 1;
	if (witness_connect(c, &x.s, &x.r, "ui") != EXIT_OK) {
		snprintf(out->message, sizeof(out->message),
		         x.s.error[0] ? _("cannot reach the server (%s); the work stays in this replica, try 同步 later")
		                      : _("the server's audit log does not match what this replica saw; nothing was "
		                          "synced (the terminal running 'hearth ui' says why)"),
		         x.s.error);
		goto done;
	}
	res = sync_run(&x);
	engine_message(&x, res, &u);
	out->ok = res == SYNC_OK;
done:
	out->pushed = x.pushed;
	out->applied = x.applied;
	out->merged = x.merged;
	out->conflicts = x.conflicts;
	out->duplicate = x.duplicate;
	out->rejected = x.rejected;
	out->pulled = x.pulled;
	sync_end(&x);
	if (session_opened)
		session_close(&x.s);
	replica_close(&x.r);
	return 0;
}

/* ------------------------------------------------------------ history */

typedef struct ui_hist {
	web_history_each each;
	void *ctx;
	member_namer *names;
} ui_hist;

/* One entry as `hearth history` prints it: the same describers
 * (audit_query.h), handed to the page instead of the terminal. */
static int hist_entry(void *arg, const Hearth__AuditEntry *e)
{
	ui_hist *h = arg;
	const kind_info *k = kind_find(e->kind);
	web_history_change ch[64];
	char *texts[2 * 64];
	char when[64], who[120], where[100], nb[64][32];
	Hearth__AuditChange *const *chs;
	size_t nch = audq_changes(e, &chs);
	size_t n = nch < HEARTH_ARRAY_LEN(ch) ? nch : HEARTH_ARRAY_LEN(ch);
	const char *problem = audq_revision_problem(e);
	web_history_entry we;
	int rc;

	witness_time(e->time, when, sizeof(when));
	audq_who(e, who, sizeof(who));
	audq_role_branch(e, where, sizeof(where));
	for (size_t i = 0; i < n; i++) {
		const Hearth__AuditChange *c = chs[i];
		texts[2 * i] = audq_change_side(k, c, &c->old_value, h->names);
		texts[2 * i + 1] = audq_change_side(k, c, &c->new_value, h->names);
		ch[i] = (web_history_change){ .name = audq_change_name(c, nb[i], sizeof(nb[i])),
		                              .label = audq_change_label(k, c),
		                              .old_text = texts[2 * i] ? texts[2 * i] : "?",
		                              .new_text = texts[2 * i + 1] ? texts[2 * i + 1] : "?" };
	}
	we = (web_history_entry){ .seq = e->seq, .when = when, .who = who, .where = where,
	                          .action = e->action, .rev_before = e->rev_before,
	                          .rev_after = e->rev_after,
	                          /* A damaged or missing named revision is said where the detail goes. */
	                          .detail = problem && !(e->detail && e->detail[0]) ? problem : e->detail,
	                          .changes = ch,
	                          .n_changes = n };
	rc = h->each(h->ctx, &we);
	for (size_t i = 0; i < 2 * n; i++)
		free(texts[i]);
	return rc;
}

/* A record's history for the page, as `hearth history` reads it: through
 * the witness, page by page from the server's audit log. */
static int ui_history(void *arg, const uint8_t id[16], web_history_each each, void *ctx, char *err,
                      size_t cap)
{
	cli *c = arg;
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	ui_hist h = { .each = each, .ctx = ctx };
	uint8_t rid[16];
	audq_conn x;
	int rc;

	memcpy(rid, id, sizeof(rid));
	rc = audq_conn_open(&x, c, "ui history");
	if (rc != EXIT_OK) {
		snprintf(err, cap, x.s.error[0] ? _("cannot reach the server (%s); the history is kept there, "
		                                    "try again when it is reachable")
		                                : _("the server's audit log does not match what this replica "
		                                    "saw; the history was not read (the terminal running "
		                                    "'hearth ui' says why)"),
		         x.s.error);
		audq_conn_close(&x);
		return -1;
	}
	q.record_id.data = rid;
	q.record_id.len = sizeof(rid);
	q.limit = QUERY_PAGE_MAX;
	h.names = &x.names;
	rc = audq_each_entry(&x, &q, hist_entry, &h, NULL);
	if (rc != EXIT_OK)
		snprintf(err, cap, "%s", x.s.error[0] ? x.s.error : _("the server refused to read the history"));
	audq_conn_close(&x);
	return rc == EXIT_OK ? 0 : -1;
}

/* ------------------------------------------------------------ connect */

/* A witnessed session for the audit pages, as `hearth audit …` opens one
 * (profile, replica, session, witness); the page reads through it with the
 * core's audit_read and audit_verify. A witness refusal is printed on the
 * terminal in full, as for the commands; the page gets one sentence. */
static web_connect_result ui_connect(void *arg, web_link *out, char *err, size_t cap)
{
	cli *c = arg;
	audq_conn *x = malloc(sizeof(*x));

	memset(out, 0, sizeof(*out));
	if (!x) {
		snprintf(err, cap, "%s", _(hearth_strerror(HEARTH_ENOMEM)));
		return WEB_CONNECT_LOST;
	}
	if (audq_conn_open(x, c, "ui audit") != EXIT_OK) {
		int lost = x->s.error[0] || !x->r_open;
		if (x->s.error[0])
			snprintf(err, cap, _("cannot reach the server (%s); the audit log is kept there, try again "
			                     "when it is reachable"),
			         x->s.error);
		else if (!x->r_open)
			snprintf(err, cap, "%s", _("cannot open the local replica"));
		else
			snprintf(err, cap, "%s", _("the server's audit log does not match what this replica saw; "
			                           "it was refused (the terminal running 'hearth ui' says why)"));
		audq_conn_close(x);
		free(x);
		return lost ? WEB_CONNECT_LOST : WEB_CONNECT_WITNESS;
	}
	out->s = &x->s;
	out->r = &x->r;
	out->handle = x;
	return WEB_CONNECT_OK;
}

static void ui_disconnect(void *arg, web_link *l)
{
	(void)arg;
	audq_conn_close(l->handle);
	free(l->handle);
}

/* ------------------------------------------------------------- export */

/* Reads fd to its end into a malloc'd buffer (bounded by max). */
static int read_all(int fd, char **out, size_t *len, size_t max)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return HEARTH_ENOMEM;
	for (;;) {
		ssize_t got;
		if (n == cap) {
			char *grown;
			if (cap >= max) {
				free(buf);
				return HEARTH_ETOOBIG;
			}
			cap *= 2;
			if (!(grown = realloc(buf, cap + 1))) {
				free(buf);
				return HEARTH_ENOMEM;
			}
			buf = grown;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(buf);
			return HEARTH_EIO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

#define UI_EXPORT_MAX (256u << 20)

/* 导出 runs `hearth --home HOME KIND list --csv --bom` (or `--xlsx FILE`)
 * itself: the one list export, with its audit event, in its own process
 * so its output cannot mix with this one's. */
static int ui_export(void *arg, const kind_info *k, int xlsx, char **data, size_t *len, char *err,
                     size_t cap)
{
	cli *c = arg;
	char tmp[] = "/tmp/hearth-export-XXXXXX.xlsx";
	char *argv[9], *said = NULL;
	size_t said_len = 0;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0, rc = -1, tmp_fd = -1;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	*data = NULL;
	*len = 0;
	if (xlsx && (tmp_fd = mkstemps(tmp, 5)) < 0) {
		snprintf(err, cap, _("cannot make a temporary file for the export: %s"), strerror(errno));
		return -1;
	}
	if (pipe(out) != 0 || pipe(errp) != 0) {
		snprintf(err, cap, _("cannot start the export: %s"), strerror(errno));
		goto done;
	}
	argv[0] = "hearth";
	argv[1] = "--home";
	argv[2] = c->prof.home;
	argv[3] = (char *)k->name;
	argv[4] = "list";
	argv[5] = xlsx ? "--xlsx" : "--csv";
	argv[6] = xlsx ? tmp : "--bom";
	argv[7] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, errp[0]);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	if (rc != 0) {
		snprintf(err, cap, _("cannot start the export: %s"), strerror(rc));
		rc = -1;
		goto done;
	}
	/* stdout first (the CSV, large); the few lines of stderr wait in
	 * their pipe meanwhile. */
	rc = read_all(out[0], data, len, UI_EXPORT_MAX);
	if (read_all(errp[0], &said, &said_len, 65536) != 0)
		said = NULL;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		size_t l = said ? strlen(said) : 0;
		while (l && (said[l - 1] == '\n' || said[l - 1] == '\r'))
			said[--l] = '\0';
		snprintf(err, cap, "%s", said && said[0] ? said : _("the export failed"));
		free(*data);
		*data = NULL;
		rc = -1;
		goto done;
	}
	if (xlsx) {
		free(*data);
		*data = NULL;
		/* Opened again: the writer may have replaced the file we made. */
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		rc = fd >= 0 && read_all(fd, data, len, UI_EXPORT_MAX) == 0 ? 0 : -1;
		if (fd >= 0)
			close(fd);
		if (rc != 0)
			snprintf(err, cap, "%s", _("cannot read the exported workbook"));
	}
done:
	free(said);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (tmp_fd >= 0) {
		close(tmp_fd);
		unlink(tmp);
	}
	return rc;
}

/* Opens url in the desktop's browser; a failure only means the person
 * opens it by hand from the printed line. */
static void open_browser(const char *url)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "xdg-open", (char *)url, NULL };
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return;
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) == 0)
		(void)waitpid(pid, NULL, 0);
	else
		fprintf(stderr, "%s\n", _("hearth: ui: xdg-open is not available; open the address above by hand"));
	posix_spawn_file_actions_destroy(&fa);
}

static void usage(FILE *f)
{
	fprintf(f, "%s", _("usage: hearth ui [--port N] [--no-open]\n\n"
	                   "Serves the branch office's web app over this profile's replica on\n"
	                   "127.0.0.1 (and ::1), prints its address with a one-time token and opens\n"
	                   "the browser (unless --no-open). It works with the server unreachable;\n"
	                   "the 同步 button syncs. --port 0 (the default) picks a free port.\n"
	                   "Ctrl-C stops it.\n"));
}

/* ------------------------------------------------------------ 下载 */

/* An attachment's content for the page's 下载, as `hearth attachment get`
 * downloads it. */
static int ui_fetch(void *arg, replica *r, const attachment_hit *hit, transfer_state *st, char *err, size_t cap)
{
	return attach_fetch(arg, r, hit, NULL, st, err, cap);
}

int cmd_ui(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "no-open", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	web_server *w = NULL;
	replica kept;
	sigset_t stop, old;
	char err[600], *end;
	long port = 0;
	int o, sig, no_open = 0, rc;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || port < 0 || port > 65535) {
				cli_error(_("ui: --port \"%s\" is not a port (0 to 65535; 0 picks a free one)"), optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n': no_open = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(_("ui: unexpected argument \"%s\"; see 'hearth ui --help'"), argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	/* The replica stays open for the life of the process: every request,
	 * the sync and the audit pages open it again, which then costs a
	 * counted reference to this environment rather than an mmap, a reader
	 * check and a write transaction each (replica_open shares it). */
	if ((rc = cli_open_replica(c, &kept, "ui")) != EXIT_OK)
		return rc;
	/* The server's threads inherit this mask, so the signals reach only
	 * sigwait below and the stop is an ordinary return. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	rc = web_server_start(&w, &(web_server_options){ .port = (unsigned)port, .prof = &c->prof,
	                                                 .sync = ui_run_sync, .sync_arg = c,
	                                                 .history = ui_history, .history_arg = c,
	                                                 .export_list = ui_export, .export_arg = c,
	                                                 .connect = ui_connect, .disconnect = ui_disconnect,
	                                                 .connect_arg = c, .fetch = ui_fetch, .fetch_arg = c },
	                      err, sizeof(err));
	if (rc != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		replica_close(&kept);
		cli_error("ui: %s", err);
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	printf(_("hearth ui: open %s (Ctrl-C stops it)\n"), web_server_url(w));
	fflush(stdout);
	if (!no_open)
		open_browser(web_server_url(w));
	while (sigwait(&stop, &sig) != 0)
		;
	web_server_stop(w);
	replica_close(&kept);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	printf("%s\n", _("hearth ui: stopped"));
	return EXIT_OK;
}
