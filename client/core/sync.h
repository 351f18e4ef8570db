/* sync.h: the sync engine (sync.c): push the outbox, report events, pull
 * pages, check the digest, for one replica over one open session. */
#ifndef HEARTH_CORE_SYNC_H
#define HEARTH_CORE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "client/core/session.h"
#include "common/hearth.h"

#define SYNC_BATCH_DEFAULT 500   /* ops per PushRequest */
#define SYNC_BATCH_MAX 1000      /* the server refuses more ops per push (its hard cap) */
#define SYNC_PAGE_DEFAULT 1000   /* records per pull page */
#define SYNC_PAGE_MAX 10000

/* What a sync step did. */
typedef enum sync_result {
	SYNC_OK = 0,
	SYNC_LOST,       /* the connection failed (the session's error says why) */
	SYNC_REFUSED,    /* the server answered with an Error or another body (hooks.refused was told) */
	SYNC_FAILED,     /* the replica or the server's answer failed (err says why) */
	SYNC_USAGE,      /* the options do not fit this certificate (err says why) */
	SYNC_DIVERGED,   /* the replica still differs after a full re-pull (err says how) */
	SYNC_HOSTILE,    /* the server broke the sync protocol; the page was not applied (err says how) */
	SYNC_WITNESS,    /* a witness hook refused the server (the hook said why and keeps the exit code) */
} sync_result;

/* How the engine tells its caller what happens; every member may be NULL.
 * Text is one line without the "hearth: " prefix; pointers are borrowed for
 * the call only. */
typedef struct sync_hooks {
	/* what: "pushing" or "pulling"; total 0 when unknown. */
	void (*progress)(void *arg, const char *what, uint64_t done, uint64_t total);
	/* The progress line must go before anything else is printed. */
	void (*progress_end)(void *arg);
	/* The server rejected op (res->status OP_REJECTED); it stays kept. */
	void (*rejected)(void *arg, const Hearth__Op *op, const Hearth__OpResult *res);
	/* The server refused a request (what: "push", "pull", "digest check")
	 * with resp (an Error or an unexpected body). */
	void (*refused)(void *arg, const char *what, const Hearth__Envelope *resp);
	/* Something the person should know, the sync goes on. */
	void (*notice)(void *arg, const char *text);
	/* The signed checkpoint of a push answer (NULL from an older server),
	 * called before the answer's results are stored: the answer proves the
	 * commit, so pinning first means no crash leaves acknowledged ops in the
	 * replica that the pin does not cover. Nonzero refuses the server: the
	 * sync stops with SYNC_WITNESS and nothing of that answer is stored. */
	int (*push_checkpoint)(void *arg, const Hearth__Checkpoint *cp);
	/* The server's cursor is behind the replica's (ours > theirs), as after
	 * a restore from an older copy. Nonzero refuses the server (SYNC_WITNESS);
	 * without the hook, or when it returns 0, the replica re-pulls as before. */
	int (*cursor_behind)(void *arg, uint64_t ours, uint64_t theirs);
	void *arg;
} sync_hooks;

/* How the replica's side of the digest comparison is computed. The kept
 * per-kind digests (client/core/replica_digest.h) follow every stored
 * change, so they catch a change the replica missed or applied wrongly at
 * the cost of the number of kinds; only hashing every stored server copy
 * also catches bytes damaged on disk after they were stored, which costs a
 * read of the whole replica. */
typedef enum sync_verify {
	SYNC_VERIFY_DAILY = 0,    /* the full scan when the last one is a day old */
	SYNC_VERIFY_ALWAYS = 1,   /* the full scan at this sync (hearth sync --verify) */
} sync_verify;

typedef struct sync_options {
	size_t batch;             /* ops per push, 1..SYNC_BATCH_MAX (0: default) */
	uint32_t page;            /* records per pull page, 1..SYNC_PAGE_MAX (0: default) */
	const char *branch;       /* admin/auditor: mirror only this branch; NULL all */
	sync_verify verify;
	int no_content;           /* leave attachment content for a later sync (records only) */
	int fetch_content;        /* also download every attachment not on this machine */
	sync_hooks hooks;
} sync_options;

/* Where the progress line is; private to sync.c. */
typedef struct sync_progress {
	const sync_hooks *hooks;
	const char *what;
	uint64_t done, total;
} sync_progress;

/* Which HEARTH_FAULT point is armed (see sync.c); private to sync.c. */
typedef struct sync_fault {
	int point;
	long n;
} sync_fault;

/* One sync of one replica. The caller opens r (cli_open_replica) and s
 * (witness_connect) in place between sync_begin and sync_run, and closes
 * both itself after sync_end. */
typedef struct sync_ctx {
	session s;
	replica r;
	/* what the sync moved, filled by sync_run (also on failure) */
	uint64_t pushed, applied, merged, conflicts, duplicate, rejected, pulled;
	/* recovery (a restore notice accepted): records re-pushed, written by
	 * the server, already there, refused */
	uint64_t recover_sent, recovered, recover_present, recover_refused;
	uint64_t recover_witnessed;  /* sent with the audit entry this replica witnessed */
	size_t events;              /* reveal/export events reported */
	/* attachment content (attachment_transfer.h): files whose upload this
	 * sync finished, their bytes, files the server refused, and files of
	 * other replicas not yet on the server whole */
	uint64_t content_sent, content_bytes, content_refused, content_waiting, content_fetched;
	/* one sentence for SYNC_FAILED, SYNC_USAGE and SYNC_DIVERGED */
	char err[1400];
	/* private */
	size_t batch;
	uint32_t page;
	const char *branch_opt;
	sync_verify verify;
	int no_content;
	int fetch_content;
	uint64_t pull_from;         /* the cursor this sync's pull started at (0: from zero) */
	sync_hooks hooks;
	const char *scope;          /* pull branch_id (admin/auditor --branch), "" = all */
	const char *digest_branch;  /* DigestRequest.branch_id */
	char scope_meta[96];        /* the replica's "scope": a branch, "" (all) or general/ID */
	int general;                /* a general principal: the server chooses the subtree */
	sync_fault fault;
	long push_acks, pull_recv, pull_pages;
	int resets;                 /* reset=true answers this sync (one is allowed) */
	sync_progress prog;
	int lock_fd;
} sync_ctx;

/* Zeroes x (s.fd -1, no lock) and copies o (its strings are borrowed until
 * sync_end) and reads HEARTH_FAULT. */
void sync_init(sync_ctx *x, const sync_options *o);

/* Takes the replica's sync lock (only one sync may work on a replica at a
 * time: two would push the same ops and race to store their results); x->r
 * must be open. Returns SYNC_OK or SYNC_FAILED (err says why). */
sync_result sync_begin(sync_ctx *x);

/* Over x->s (open, witness checked): settles the scope, re-pushes what a
 * restored server lost when the witness accepted its restore notice
 * (replica_recovery.h: every server copy in scope above the notice's
 * change sequence, oldest first, each with its audit entry when this
 * replica verified that entry's leaf; a refused one stops the sync with
 * SYNC_FAILED and keeps the recovery pending), pushes the outbox,
 * reports the queued events, pulls, checks the digest (re-pulling from zero
 * once on a mismatch), stores the time of this sync and fetches the audit
 * entries of the revisions in scope written since the last sync; last,
 * unless no_content, moves attachment content (attachment_transfer.h):
 * the records never wait on bytes, and a cut there loses no record. */
sync_result sync_run(sync_ctx *x);

/* Clears the progress line and releases the lock; safe after sync_init
 * alone. */
void sync_end(sync_ctx *x);

#endif
