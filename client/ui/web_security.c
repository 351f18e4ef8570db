/* web_security.c: the per-launch secrets of `hearth ui` and the checks each
 * request passes (Host, token or cookie, Origin, CSRF), in that order. */
#include "client/ui/web_security.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "common/hearth.h"

static int random_hex(char out[WEB_SECRET_HEX + 1])
{
	unsigned char b[WEB_SECRET_HEX / 2];

	if (RAND_bytes(b, (int)sizeof(b)) != 1)
		return HEARTH_EIO;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

int web_secrets_init(web_secrets *s)
{
	memset(s, 0, sizeof(*s));
	if (random_hex(s->token) != 0 || random_hex(s->session) != 0 || random_hex(s->csrf) != 0)
		return HEARTH_EIO;
	return 0;
}

/* Constant-time equality of a secret and what the request sent: the time
 * an answer takes must not tell how many leading characters were right. */
static int secret_equal(const char *secret, const char *given)
{
	if (!given || strlen(given) != WEB_SECRET_HEX)
		return 0;
	return CRYPTO_memcmp(secret, given, WEB_SECRET_HEX) == 0;
}

int web_host_allowed(const char *host, unsigned port)
{
	static const char *const names[] = { "127.0.0.1", "[::1]", "localhost" };
	char want[64];

	if (!host)
		return 0;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(names); i++) {
		snprintf(want, sizeof(want), "%s:%u", names[i], port);
		if (!strcmp(host, want))
			return 1;
	}
	return 0;
}

/* The Origin of our own pages: http:// and an allowed Host. */
static int origin_allowed(const char *origin, unsigned port)
{
	static const char scheme[] = "http://";

	if (!origin || strncmp(origin, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	return web_host_allowed(origin + sizeof(scheme) - 1, port);
}

web_verdict web_check(const web_secrets *s, unsigned port, const web_request_facts *f)
{
	int by_token;

	if (!web_host_allowed(f->host, port))
		return WEB_DENY_HOST;
	by_token = secret_equal(s->token, f->token);
	if (!by_token && !secret_equal(s->session, f->cookie))
		return WEB_DENY_AUTH;
	if (f->changes_state) {
		if (!origin_allowed(f->origin, port))
			return WEB_DENY_ORIGIN;
		if (!secret_equal(s->csrf, f->csrf))
			return WEB_DENY_CSRF;
		return WEB_ALLOW;
	}
	return by_token ? WEB_ALLOW_TOKEN : WEB_ALLOW;
}
