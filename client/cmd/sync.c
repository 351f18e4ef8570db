/* sync.c: the `hearth sync` command: its options, help, printing and exit
 * codes around the sync engine (client/core/sync.h). */
#include "client/cmd/sync.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/witness.h"
#include "client/core/reasons.h"
#include "client/core/replica_meta.h"
#include "client/core/sync.h"
#include "client/ui/output.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

static int parse_count(const char *cmd, const char *flag, const char *text, long max, long *out)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*text == '\0' || *end || v < 1 || v > max) {
		cli_error(_("%s: %s \"%s\" is not a number from 1 to %ld"), cmd, flag, text, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* The kind as the reader names it: its label in Chinese, else its CLI word. */
static const char *kind_word(Hearth__Kind kind)
{
	const kind_info *k = kind_find(kind);
	if (k == NULL)
		return _("record");
	return i18n_is_zh() ? k->label : k->name;
}

/* ---------------------------------------------------------- engine hooks */

static void on_progress(void *arg, const char *what, uint64_t done, uint64_t total)
{
	(void)arg;
	out_progress(_(what), done, total);
}

static void on_progress_end(void *arg)
{
	(void)arg;
	out_progress_end();
}

static void on_rejected(void *arg, const Hearth__Op *op, const Hearth__OpResult *res)
{
	char idt[UUID_TEXT_LEN + 1] = "?";
	char said[1024];
	const Hearth__Error *e = res->error;
	Hearth__Kind kind = op->record ? op->record->kind : 0;
	const kind_info *k = kind_find(kind);

	(void)arg;
	if (op->record && op->record->id.len == UUID_LEN)
		uuid_format(op->record->id.data, idt);
	if (e && e->field && e->field[0])
		cli_error(_("the server rejected the change to %s %s: %s (field %s)"), kind_word(kind), idt,
		          reasons_localize(k, e->message, said, sizeof(said)),
		          reasons_field_name(k, e->field));
	else
		cli_error(_("the server rejected the change to %s %s: %s"), kind_word(kind), idt,
		          e && e->message[0] ? reasons_localize(k, e->message, said, sizeof(said))
		                             : _("no reason given"));
}

static void on_refused(void *arg, const char *what, const Hearth__Envelope *resp)
{
	(void)arg;
	cli_refused("sync", what, resp);
}

static void on_notice(void *arg, const char *text)
{
	(void)arg;
	cli_error("%s", text);
}

/* What the witness hooks need: the command's context, and the exit code of
 * a refusal (the witness has printed why). */
typedef struct sync_witness {
	cli *c;
	sync_ctx *x;
	int exit;
} sync_witness;

static int on_push_checkpoint(void *arg, const Hearth__Checkpoint *cp)
{
	sync_witness *w = arg;
	return (w->exit = witness_pin_push(w->c, &w->x->s, &w->x->r, cp, "sync")) != EXIT_OK;
}

static int on_cursor_behind(void *arg, uint64_t ours, uint64_t theirs)
{
	sync_witness *w = arg;
	return (w->exit = witness_check_cursor(w->c, ours, theirs, "sync")) != EXIT_OK;
}

/* The exit code for what the engine said, after printing why. */
static int engine_exit(cli *c, const sync_ctx *x, sync_result res, const sync_witness *w)
{
	switch (res) {
	case SYNC_OK: return EXIT_OK;
	case SYNC_LOST: return cli_lost("sync", &x->s);
	case SYNC_REFUSED: return EXIT_FAIL;
	case SYNC_USAGE: cli_error(_("sync: %s"), x->err); return EXIT_USAGE;
	case SYNC_DIVERGED:
		cli_error(_("sync: %s; keep %s/replica as it is and report this"), x->err, c->prof.home);
		return EXIT_FAIL;
	case SYNC_HOSTILE:
		cli_error(_("sync: the server at %s broke the sync protocol: %s; nothing of that answer "
		          "was stored and the replica is as it was. Check that this profile points at "
		          "your committee's hearthd and report this"),
		          c->prof.server, x->err);
		return EXIT_SERVER;
	case SYNC_WITNESS: return w->exit;
	case SYNC_FAILED: break;
	}
	cli_error(_("sync: %s"), x->err);
	return EXIT_FAIL;
}

int cmd_sync(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "batch", required_argument, NULL, 'b' },
		{ "page", required_argument, NULL, 'p' },
		{ "branch", required_argument, NULL, 'B' },
		{ "verify", no_argument, NULL, 'V' },
		{ "no-content", no_argument, NULL, 'C' },
		{ "fetch-content", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	sync_options so;
	sync_ctx x;
	sync_witness wit = { .c = c, .x = &x, .exit = EXIT_OK };
	replica_status st;
	long v;
	int o, rc, json = 0, session_opened = 0;

	memset(&so, 0, sizeof(so));
	so.batch = SYNC_BATCH_DEFAULT;
	so.page = SYNC_PAGE_DEFAULT;
	so.hooks.progress = on_progress;
	so.hooks.progress_end = on_progress_end;
	so.hooks.rejected = on_rejected;
	so.hooks.refused = on_refused;
	so.hooks.notice = on_notice;
	so.hooks.push_checkpoint = on_push_checkpoint;
	so.hooks.cursor_behind = on_cursor_behind;
	so.hooks.arg = &wit;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json = 1; break;
		case 'b':
			/* The server refuses more than 1000 ops per push (its hard cap). */
			if (parse_count("sync", "--batch", optarg, SYNC_BATCH_MAX, &v))
				return EXIT_USAGE;
			so.batch = (size_t)v;
			break;
		case 'p':
			if (parse_count("sync", "--page", optarg, SYNC_PAGE_MAX, &v))
				return EXIT_USAGE;
			so.page = (uint32_t)v;
			break;
		case 'B':
			if (!optarg[0] || strlen(optarg) > 63) {
				cli_error(_("sync: --branch \"%s\" is not a branch id"), optarg);
				return EXIT_USAGE;
			}
			so.branch = optarg;
			break;
		case 'V': so.verify = SYNC_VERIFY_ALWAYS; break;
		case 'C': so.no_content = 1; break;
		case 'F': so.fetch_content = 1; break;
		case 'h':
			printf(_("usage: hearth sync [--json] [--batch N] [--page N] [--branch ID] [--verify] [--no-content|--fetch-content]\n\n"
			       "Sends the local edits waiting in the outbox to the server (N ops per\n"
			       "request, default %d), then pulls every change made since the last sync\n"
			       "(N records per page, default %d) and checks, by a per-kind count and\n"
			       "digest, that the replica matches the server; if it does not, the replica\n"
			       "re-pulls from zero. The replica keeps its per-kind digests as changes\n"
			       "arrive; once a day, or with --verify, it hashes every stored record\n"
			       "instead, which also finds bytes damaged on disk. Edits that overlap\n"
			       "someone else's become conflicts ('hearth conflicts', 'hearth resolve').\n"
			       "--branch (admin and auditor\n"
			       "certificates only) limits the replica to one branch. It is safe to\n"
			       "interrupt: the next sync resumes without losing or doubling anything.\n"
			       "Before anything moves, the client checks as a witness that the server's\n"
			       "signed audit log only grew since the last sync, and refuses otherwise;\n"
			       "a server restored from a backup is accepted once, with the restore notice\n"
			       "its administrator signed ('hearthd recovery start'), and this replica then\n"
			       "re-pushes every record the server lost.\n"
			       "Reveals and exports recorded locally are reported to the audit log.\n"
			       "A change the server rejects stays in the replica with the server's\n"
			       "reason ('hearth rejected'); edit it to send it again, or discard it.\n"
			       "After the records, the content of attachments added here goes to the\n"
			       "server in 256 KiB chunks; a cut resumes at the last chunk the server\n"
			       "confirmed. --no-content syncs the records only. Content is fetched when\n"
			       "asked for ('hearth attachment get'), or with --fetch-content all of it\n"
			       "that the server holds whole, ahead of time.\n"
			       "Exit status: 0 done, 1 something failed or rejected changes wait, 3 cannot\n"
			       "connect, 4 open conflicts remain, 5 the audit log shrank or was rewritten,\n"
			       "6 the server broke the sync protocol (nothing of that answer is stored).\n"),
			       SYNC_BATCH_DEFAULT, SYNC_PAGE_DEFAULT);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (so.no_content && so.fetch_content) {
		cli_error(_("sync: --no-content and --fetch-content exclude each other"));
		return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error(_("sync: unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}

	sync_init(&x, &so);
	if ((rc = cli_open_replica(c, &x.r, "sync")) != EXIT_OK)
		goto fail;
	if ((rc = engine_exit(c, &x, sync_begin(&x), &wit)) != EXIT_OK)
		goto fail;
	session_opened = 1;
	/* The witness runs before anything moves: after a refusal nothing is
	 * pushed to or pulled from a server whose audit log shrank or was
	 * rewritten. */
	if ((rc = witness_connect(c, &x.s, &x.r, "sync")) != EXIT_OK)
		goto fail;
	if ((rc = engine_exit(c, &x, sync_run(&x), &wit)) != EXIT_OK)
		goto fail;
	if (replica_status_brief(&x.r, &st) != 0) {
		cli_error(_("sync: cannot read the replica's status"));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (json)
		printf("{\"pushed\":%llu,\"applied\":%llu,\"merged\":%llu,\"conflicts\":%llu,"
		       "\"duplicate\":%llu,\"rejected\":%llu,\"pulled\":%llu,\"open_conflicts\":%llu,"
		       "\"rejected_kept\":%llu,\"cursor\":%llu,\"content_sent\":%llu,\"content_refused\":%llu,"
		       "\"content_waiting\":%llu,\"events\":%zu}\n",
		       (unsigned long long)x.pushed, (unsigned long long)x.applied,
		       (unsigned long long)x.merged, (unsigned long long)x.conflicts,
		       (unsigned long long)x.duplicate, (unsigned long long)x.rejected,
		       (unsigned long long)x.pulled, (unsigned long long)st.open_conflicts,
		       (unsigned long long)st.rejected, (unsigned long long)st.cursor,
		       (unsigned long long)x.content_sent, (unsigned long long)x.content_refused,
		       (unsigned long long)x.content_waiting, x.events);
	else
		printf(_("sync: pushed %llu (applied %llu, merged %llu, conflicts %llu, duplicate %llu, "
		       "rejected %llu), pulled %llu records, open conflicts %llu\n"),
		       (unsigned long long)x.pushed, (unsigned long long)x.applied,
		       (unsigned long long)x.merged, (unsigned long long)x.conflicts,
		       (unsigned long long)x.duplicate, (unsigned long long)x.rejected,
		       (unsigned long long)x.pulled, (unsigned long long)st.open_conflicts);
	if (x.content_sent && !json) {
		char size[32];
		out_size(x.content_bytes, size, sizeof(size));
		printf(P_("sync: uploaded the content of %llu attachment (%s)\n",
		          "sync: uploaded the content of %llu attachments (%s)\n", x.content_sent),
		       (unsigned long long)x.content_sent, size);
	}
	if (x.content_fetched && !json)
		printf(P_("sync: downloaded the content of %llu attachment\n",
		          "sync: downloaded the content of %llu attachments\n", x.content_fetched),
		       (unsigned long long)x.content_fetched);
	if (x.events && !json)
		printf(P_("sync: reported %zu reveal/export event to the audit log\n",
		          "sync: reported %zu reveal/export events to the audit log\n", x.events),
		       x.events);
	/* Rejected changes are kept (nothing typed is lost) but wait for the
	 * person: the sync is not done while any remain. */
	if (st.rejected && !json)
		fprintf(stderr, P_("hearth: %llu rejected change is kept in this replica; see 'hearth rejected', "
		                   "then edit to send again or 'hearth rejected discard ID'\n",
		                   "hearth: %llu rejected changes are kept in this replica; see 'hearth rejected', "
		                   "then edit to send again or 'hearth rejected discard ID'\n", st.rejected),
		        (unsigned long long)st.rejected);
	/* Content the server refused (its quota, its type) waits here like a
	 * rejected change: the sync is not done. */
	rc = x.rejected || st.rejected || x.content_refused ? EXIT_FAIL
	     : st.open_conflicts                        ? EXIT_CONFLICTS
	                                                : EXIT_OK;
fail:
	sync_end(&x);
	if (session_opened)
		session_close(&x.s);
	replica_close(&x.r);
	return rc;
}
