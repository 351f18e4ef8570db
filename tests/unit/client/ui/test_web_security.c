/* test_web_security.c: the checks in front of `hearth ui`: Host, token or
 * cookie, Origin and CSRF, each refusing on its own, in that order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client/ui/web_security.h"

static web_secrets S;

static int setup(void **state)
{
	(void)state;
	return web_secrets_init(&S);
}

static void secrets_differ_and_are_hex(void **state)
{
	web_secrets t;

	(void)state;
	assert_int_equal(web_secrets_init(&t), 0);
	assert_int_equal(strlen(S.token), WEB_SECRET_HEX);
	assert_int_equal(strspn(S.token, "0123456789abcdef"), WEB_SECRET_HEX);
	assert_string_not_equal(S.token, S.session);
	assert_string_not_equal(S.session, S.csrf);
	assert_string_not_equal(S.token, t.token);
}

static void host_is_loopback_and_port(void **state)
{
	(void)state;
	assert_true(web_host_allowed("127.0.0.1:8080", 8080));
	assert_true(web_host_allowed("[::1]:8080", 8080));
	assert_true(web_host_allowed("localhost:8080", 8080));
	assert_false(web_host_allowed("127.0.0.1:8081", 8080));
	assert_false(web_host_allowed("127.0.0.1", 8080));
	assert_false(web_host_allowed("evil.example:8080", 8080));
	assert_false(web_host_allowed("127.0.0.1:8080.evil.example", 8080));
	assert_false(web_host_allowed("localhost.evil.example:8080", 8080));
	assert_false(web_host_allowed("", 8080));
	assert_false(web_host_allowed(NULL, 8080));
}

static void verdicts_in_order(void **state)
{
	web_request_facts f = { .host = "127.0.0.1:9000" };
	char wrong[WEB_SECRET_HEX + 1];

	(void)state;
	memset(wrong, 'a', WEB_SECRET_HEX);
	wrong[WEB_SECRET_HEX] = '\0';
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_AUTH);
	f.token = wrong;
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_AUTH);
	f.token = S.token;
	assert_int_equal(web_check(&S, 9000, &f), WEB_ALLOW_TOKEN);
	f.host = "evil.example:9000";   /* Host first: even the right token is refused */
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_HOST);
	f.host = "127.0.0.1:9000";
	f.token = NULL;
	f.cookie = S.token;             /* the token is not a cookie */
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_AUTH);
	f.cookie = S.session;
	assert_int_equal(web_check(&S, 9000, &f), WEB_ALLOW);
	f.changes_state = 1;
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_ORIGIN);
	f.origin = "http://evil.example";
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_ORIGIN);
	f.origin = "https://127.0.0.1:9000";
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_ORIGIN);
	f.origin = "http://127.0.0.1:9000";
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_CSRF);
	f.csrf = S.session;
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_CSRF);
	f.csrf = "short";
	assert_int_equal(web_check(&S, 9000, &f), WEB_DENY_CSRF);
	f.csrf = S.csrf;
	assert_int_equal(web_check(&S, 9000, &f), WEB_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secrets_differ_and_are_hex),
		cmocka_unit_test(host_is_loopback_and_port),
		cmocka_unit_test(verdicts_in_order),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
