/* test_session.c: the revocation check fails closed. session.c is included
 * with the revocation lookup, the connection's answer, the audit event and
 * the log replaced, so a store error can be injected without a store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define principals_revoked fake_principals_revoked
#define conn_send_error fake_conn_send_error
#define events_submit fake_events_submit
#define api_of fake_api_of
#define log_event fake_log_event
#include "server/api/session.c"
#undef principals_revoked
#undef conn_send_error
#undef events_submit
#undef api_of
#undef log_event

static struct {
	int lookup_rc;                  /* what the lookup answers */
	int lookups;
	int sent, code, close_after;
	char field[64], message[512];
	int events;
	char event_action[64];
	char log[1024];                 /* the last log line, key=value */
} g;

static api the_api;

api *fake_api_of(const conn *c)
{
	(void)c;
	return &the_api;
}

int fake_principals_revoked(store *s, const char *fingerprint, char *why, size_t whylen)
{
	(void)s, (void)fingerprint;
	g.lookups++;
	if (g.lookup_rc == PRINCIPALS_REVOKED)
		snprintf(why, whylen, "this certificate was revoked on 2026-01-01 00:00 by 管理员: lost");
	return g.lookup_rc;
}

void fake_conn_send_error(conn *c, uint64_t request_id, Hearth__ErrorCode code, const char *field,
                          int close_after, const char *fmt, ...)
{
	va_list ap;
	(void)c, (void)request_id;
	g.sent++;
	g.code = code;
	g.close_after = close_after;
	snprintf(g.field, sizeof(g.field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(g.message, sizeof(g.message), fmt, ap);
	va_end(ap);
}

void fake_events_submit(struct api *a, const tls_identity *id, const char *action, const char *branch,
                        const char *detail, const char *peer)
{
	(void)a, (void)id, (void)branch, (void)detail, (void)peer;
	g.events++;
	snprintf(g.event_action, sizeof(g.event_action), "%s", action);
}

void fake_log_event(enum log_level lvl, const char *event, ...)
{
	va_list ap;
	const char *k;
	size_t n;

	n = (size_t)snprintf(g.log, sizeof(g.log), "level=%d event=%s", (int)lvl, event);
	va_start(ap, event);
	while ((k = va_arg(ap, const char *)) != NULL && n < sizeof(g.log)) {
		const char *v = va_arg(ap, const char *);
		n += (size_t)snprintf(g.log + n, sizeof(g.log) - n, " %s=%s", k, v ? v : "");
	}
	va_end(ap);
}

static void make_conn(conn *c)
{
	memset(&g, 0, sizeof(g));
	memset(c, 0, sizeof(*c));
	snprintf(c->id.fingerprint, sizeof(c->id.fingerprint), "%064d", 7);
	snprintf(c->id.name, sizeof(c->id.name), "张三");
	snprintf(c->id.branch_id, sizeof(c->id.branch_id), "b001");
	snprintf(c->peer, sizeof(c->peer), "127.0.0.1:5555");
	c->conn_id = 42;
}

static void test_not_revoked_goes_on(void **state)
{
	conn c;
	(void)state;
	make_conn(&c);
	g.lookup_rc = PRINCIPALS_NOT_REVOKED;
	assert_int_equal(session_refuse_revoked(&c), 0);
	assert_int_equal(g.lookups, 1);
	assert_int_equal(g.sent, 0);
	assert_int_equal(g.events, 0);
}

static void test_revoked_is_refused(void **state)
{
	conn c;
	(void)state;
	make_conn(&c);
	g.lookup_rc = PRINCIPALS_REVOKED;
	assert_int_equal(session_refuse_revoked(&c), -1);
	assert_int_equal(g.code, HEARTH__ERROR_CODE__ERR_UNAUTHENTICATED);
	assert_int_equal(g.close_after, 1);
	assert_string_equal(g.message, "this certificate was revoked on 2026-01-01 00:00 by 管理员: lost");
	assert_string_equal(g.event_action, "unauthenticated");
}

/* The fault: the lookup fails (a store that cannot be read, a corrupt
 * row). The connection is refused, closed, audited and logged. */
static void test_lookup_error_fails_closed(void **state)
{
	static const int faults[] = { HEARTH_ESTORE, HEARTH_ECORRUPT, HEARTH_ENOMEM };
	(void)state;

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		conn c;
		char want[512], logwant[512];
		make_conn(&c);
		g.lookup_rc = faults[i];
		assert_int_equal(session_refuse_revoked(&c), -1);
		assert_int_equal(g.sent, 1);
		assert_int_equal(g.code, HEARTH__ERROR_CODE__ERR_INTERNAL);
		assert_string_equal(g.field, "certificate");
		assert_int_equal(g.close_after, 1);
		snprintf(want, sizeof(want),
		         "the server could not check whether this certificate is revoked (%s); connection "
		         "refused: try again later, and tell the administrator if it persists",
		         hearth_strerror(faults[i]));
		assert_string_equal(g.message, want);
		assert_int_equal(g.events, 1);
		assert_string_equal(g.event_action, "unauthenticated");
		snprintf(logwant, sizeof(logwant),
		         "level=%d event=revocation_check_failed conn=42 peer=127.0.0.1:5555 cn=张三 "
		         "fingerprint=%064d error=%s",
		         (int)LOG_ERROR, 7, hearth_strerror(faults[i]));
		assert_string_equal(g.log, logwant);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_revoked_goes_on),
		cmocka_unit_test(test_revoked_is_refused),
		cmocka_unit_test(test_lookup_error_fails_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
