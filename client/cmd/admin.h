/* admin.h: `hearth admin …`, the committee's console: branches, enrolment
 * and revocation of certificates, the principals list, the cross-branch
 * conflict queue, statistics, the HTML report and the server's status.
 *
 * Role comes from the certificate. Requests to the server are authorized
 * there (a branch certificate gets ERR_FORBIDDEN, which the server audits);
 * commands that only read the local replica (stats, report, conflicts,
 * resolve) and enrolment check the profile's own certificate first and, when
 * it is not an admin's (or, where reading is enough, an auditor's; for
 * stats and report also a general branch's, over its subtree), send one
 * branch-list request so the server records the refusal, then exit 1. */
#ifndef HEARTH_ADMIN_H
#define HEARTH_ADMIN_H

#include "client/cmd/cli.h"
#include "client/core/session.h"
#include "common/tls.h"

/* The subcommands defined here, as cli_fns (argv[0] is the subcommand's
 * name; they print on stdout, errors on stderr, and return an exit code
 * from cli.h): branch add|rename|list, principals, revoke, conflicts,
 * resolve. */
int admin_branch(cli *c, int argc, char **argv);
int admin_principals(cli *c, int argc, char **argv);
int admin_revoke(cli *c, int argc, char **argv);
int admin_conflicts(cli *c, int argc, char **argv);
int admin_resolve(cli *c, int argc, char **argv);

/* Loads the profile and opens a session for admin subcommand cmd. Returns
 * EXIT_OK, or an exit code after printing why (s is then safe to close). */
int admin_connect(cli *c, session *s, const char *cmd);

/* Resets getopt_long for a subcommand's own argv (argv[0] is its name). */
void admin_reset_getopt(void);

/* How admin_begin_listing ended. */
typedef enum admin_begin {
	ADMIN_BEGIN_CONNECTED, /* *s is open (the caller closes it): run the request */
	ADMIN_BEGIN_FINISHED,  /* help printed, bad usage, or no connection: return *exit_code */
} admin_begin;

/* The start every read-only listing shares (branch list, principals,
 * server): takes --json and --help only, prints usage (a NUL-terminated
 * text, borrowed) for --help, refuses any other argument, then connects as
 * admin_connect does. Sets *json; on ADMIN_BEGIN_FINISHED *exit_code is
 * what the command returns and nothing is left open. */
admin_begin admin_begin_listing(cli *c, int argc, char **argv, const char *cmd, const char *usage,
                                session *s, int *json, int *exit_code);

/* Prints "hearth: admin CMD: <message>" to stderr. */
void admin_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Loads the profile and reads the identity of its certificate into *id.
 * Returns EXIT_OK or an exit code after printing why. */
int admin_profile_identity(cli *c, const char *cmd, tls_identity *id);

/* Who may run a subcommand that checks the profile's certificate first. */
typedef enum admin_who {
	ADMIN_WHO_ADMIN,        /* admins only */
	ADMIN_WHO_READERS,      /* admins and auditors: reading the console */
	ADMIN_WHO_FIGURES,      /* admins, auditors and general branches (党总支): the figures of
	                         * the certificate's scope, which the server limits (stats, report) */
} admin_who;

/* Checks that the profile's certificate may run cmd, as who says.
 * Otherwise a branch certificate asks the server once (so the refusal is
 * audited there and the user reads the server's own words); then prints
 * the refusal and returns EXIT_FAIL. Fills *id when non-NULL (with every
 * outcome past reading the profile). */
int admin_require(cli *c, const char *cmd, admin_who who, tls_identity *id);

/* admin_require with ADMIN_WHO_READERS when allow_auditor, else
 * ADMIN_WHO_ADMIN. */
int admin_require_role(cli *c, const char *cmd, int allow_auditor, tls_identity *id);

/* Sends req on s and waits for a response whose body is want. On success
 * *resp holds it (free with envelope_free(*resp, NULL)) and EXIT_OK is
 * returned; an Error from the server is printed as "the server refused:
 * MESSAGE" and gives EXIT_FAIL; a lost connection gives the session's exit
 * code. */
int admin_call(session *s, const char *cmd, Hearth__Envelope *req,
               Hearth__Envelope__BodyCase want, Hearth__Envelope **resp);

/* Asks for the branch list on an open session (see admin_call). */
int admin_branch_list(session *s, const char *cmd, Hearth__Envelope **resp);

#endif
