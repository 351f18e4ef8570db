/* cli.h: what every hearth command shares: the command table, the profile,
 * connecting, error printing and exit codes. */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include <stdio.h>

#include "client/core/profile.h"
#include "client/core/replica.h"
#include "client/core/session.h"

/* Exit codes (documented in `hearth --help` and the README). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,        /* the operation failed or the server refused it */
	EXIT_USAGE = 2,       /* bad command line or local configuration */
	EXIT_CONNECT = 3,     /* could not connect or authenticate */
	EXIT_CONFLICTS = 4,   /* sync finished but open conflicts remain */
	EXIT_WITNESS = 5,     /* the server's audit log shrank, was rewritten or is signed by another key */
	EXIT_SERVER = 6,      /* the server broke the sync protocol (a broken or hostile server) */
};

typedef struct cli {
	const char *home_opt;     /* --home, or NULL */
	profile prof;
} cli;

typedef int (*cli_fn)(cli *c, int argc, char **argv);

typedef struct cli_command {
	const char *name;
	cli_fn fn;
	const char *summary;
} cli_command;

/* Prints "hearth: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the profile (home from --home / $HEARTH_HOME / ~/.hearth).
 * Returns EXIT_OK or EXIT_USAGE after printing why. */
int cli_load_profile(cli *c);

/* Loads the profile and opens a session. Returns EXIT_OK or the exit code
 * to return after printing the reason. */
int cli_connect(cli *c, session *s);

/* Loads the profile and opens its replica into r (which the caller closes
 * with replica_close, also on failure). cmd prefixes error messages.
 * Returns EXIT_OK, EXIT_USAGE (no profile, or no replica yet) or
 * EXIT_FAIL, after printing why. */
int cli_open_replica(cli *c, replica *r, const char *cmd);

/* The connection of s failed (s->error says why): prints "hearth: CMD:
 * <why>" and returns the exit code for it (EXIT_CONNECT unless the session
 * names a more precise one). */
int cli_lost(const char *cmd, const session *s);

/* The server answered a request (what: "push", "audit query"; NULL when
 * the command has one request only) with an Error or an unexpected body:
 * prints "hearth: CMD: the server refused the WHAT: MESSAGE (field F)" or
 * "... answered the WHAT with BODY" and returns EXIT_FAIL. resp is
 * borrowed. */
int cli_refused(const char *cmd, const char *what, const Hearth__Envelope *resp);

/* True when argv holds -h or --help (anywhere). */
int cli_wants_help(int argc, char **argv);

#endif
