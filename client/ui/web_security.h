/* web_security.h: who may talk to `hearth ui`'s local web server (web_security.c):
 * the per-launch secrets and the checks every request passes before any
 * route sees it.
 *
 * A web server on 127.0.0.1 can be reached by any page the browser shows
 * (a form that posts to it, a script on a rebound DNS name), so loopback
 * alone proves nothing. Four checks stand in the way:
 *   Host    must name the loopback address and our port (127.0.0.1:P,
 *           [::1]:P or localhost:P): a rebound name is refused (421).
 *   token   the random token in the URL `hearth ui` prints, once; it is
 *           exchanged for a session cookie (HttpOnly, SameSite=Strict), and
 *           every later request must carry that cookie (else 403).
 *   Origin  a state-changing request (POST) must say it comes from our own
 *           origin (else 403).
 *   CSRF    and carry the CSRF token the page got from /api/session in the
 *           X-CSRF-Token header (else 403).
 * Secrets are compared in constant time. Nothing here allocates. */
#ifndef HEARTH_WEB_SECURITY_H
#define HEARTH_WEB_SECURITY_H

#include <stddef.h>

#define WEB_SECRET_HEX 64   /* 32 random bytes as hex */

/* The secrets of one launch; they die with the process. */
typedef struct web_secrets {
	char token[WEB_SECRET_HEX + 1];    /* in the URL printed and opened */
	char session[WEB_SECRET_HEX + 1];  /* the cookie the token is exchanged for */
	char csrf[WEB_SECRET_HEX + 1];     /* sent back by the page on every POST */
} web_secrets;

/* Fills s from the OpenSSL random generator. Returns 0, or HEARTH_EIO when
 * the generator fails (nothing may be served then). */
int web_secrets_init(web_secrets *s);

/* What a request carried that the checks look at; any pointer may be NULL
 * (header or argument absent). All borrowed for the call. */
typedef struct web_request_facts {
	const char *host;       /* Host header */
	const char *cookie;     /* value of the hearth_session cookie */
	const char *token;      /* ?token= argument */
	const char *origin;     /* Origin header */
	const char *csrf;       /* X-CSRF-Token header */
	int changes_state;      /* the method is POST */
} web_request_facts;

/* The outcome of web_check, first failing check first. */
typedef enum web_verdict {
	WEB_ALLOW = 0,          /* carry on with the route */
	WEB_ALLOW_TOKEN,        /* the launch token was right: set the cookie, redirect */
	WEB_DENY_HOST,          /* 421: Host is not our loopback address and port */
	WEB_DENY_AUTH,          /* 403: neither a right token nor a right cookie */
	WEB_DENY_ORIGIN,        /* 403: POST without our Origin */
	WEB_DENY_CSRF,          /* 403: POST without the right CSRF token */
} web_verdict;

/* Checks one request against s for a server listening on port. */
web_verdict web_check(const web_secrets *s, unsigned port, const web_request_facts *f);

/* Whether host (a Host header value) is the loopback address and port. */
int web_host_allowed(const char *host, unsigned port);

#endif
