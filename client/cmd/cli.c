/* cli.c: helpers every command uses: errors, profile loading, connecting. */
#include "client/cmd/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/reasons.h"
#include "client/ui/output.h"
#include "common/envelope.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

/* Messages often carry text from the server or a file (a refusal's
 * wording, a record's name), so the whole message goes through the one
 * sanitiser; line breaks are kept for the few messages that span lines. */
void cli_error(const char *fmt, ...)
{
	char buf[2048], *heap = NULL;
	const char *msg = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) && (heap = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(heap, (size_t)n + 1, fmt, ap);
		va_end(ap);
		msg = heap;
	}
	fputs("hearth: ", stderr);
	out_text(stderr, n < 0 ? fmt : msg, UTF8_SANITIZE_KEEP_LINES);
	fputc('\n', stderr);
	free(heap);
}

int cli_load_profile(cli *c)
{
	char err[1200];
	profile_home(&c->prof, c->home_opt);
	if (profile_load(&c->prof, err, sizeof(err)) != 0) {
		cli_error("%s", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cli_connect(cli *c, session *s)
{
	int rc = cli_load_profile(c);
	if (rc != EXIT_OK) {
		memset(s, 0, sizeof(*s));
		s->fd = -1;
		return rc;
	}
	if (session_open(s, &c->prof) != 0) {
		cli_error("%s", s->error);
		return session_exit_code(s);
	}
	return EXIT_OK;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int cli_open_replica(cli *c, replica *r, const char *cmd)
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

int cli_lost(const char *cmd, const session *s)
{
	cli_error("%s: %s", cmd, s->error);
	return session_exit_code(s) ? session_exit_code(s) : EXIT_CONNECT;
}

int cli_refused(const char *cmd, const char *what, const Hearth__Envelope *resp)
{
	/* what is a msgid (N_("push")) of the caller's. */
	const char *w = what ? _(what) : NULL;

	if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		const Hearth__Error *e = resp->error;
		/* The server's words stay on this one line, in the reader's
		 * language where the client knows the reason's format. */
		char said[1024];
		char *m = utf8_sanitize_dup(e->message ? e->message : "", e->message ? strlen(e->message) : 0, 0);
		char *f = utf8_sanitize_dup(e->field ? e->field : "", e->field ? strlen(e->field) : 0, 0);
		const char *r = reasons_localize(NULL, m ? m : "?", said, sizeof(said));

		if (f && f[0] && w)
			cli_error(_("%s: the server refused the %s: %s (field %s)"), cmd, w, r, f);
		else if (f && f[0])
			cli_error(_("%s: the server refused: %s (field %s)"), cmd, r, f);
		else if (w)
			cli_error(_("%s: the server refused the %s: %s"), cmd, w, r);
		else
			cli_error(_("%s: the server refused: %s"), cmd, r);
		free(m);
		free(f);
	} else if (w) {
		cli_error(_("%s: the server answered the %s with %s"), cmd, w, envelope_body_name(resp));
	} else {
		cli_error(_("%s: the server answered with %s; is it an older hearthd?"), cmd,
		          envelope_body_name(resp));
	}
	return EXIT_FAIL;
}
