/* test_client_cli.c: error messages for people go through the one
 * sanitiser, so a server's refusal cannot drive the terminal or forge a
 * second line (issue 12 item 13). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/cmd/cli.h"
#include "common/envelope.h"
#include "common/hearth.h"

/* Runs what the test prints on stderr into a temporary file and returns
 * its text (malloc'd). */
static int saved = -1;
static FILE *tmp;

static void err_open(void)
{
	fflush(stderr);
	tmp = tmpfile();
	assert_non_null(tmp);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
}

static char *err_close(void)
{
	long n;
	char *buf;

	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = ftell(tmp);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	rewind(tmp);
	assert_int_equal(fread(buf, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return buf;
}

static void test_client_refusal_sanitised(void **state)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__Error e = HEARTH__ERROR__INIT;
	char *out;
	(void)state;

	e.message = "bad\x1b[2J\nhearth: sync: all good \xe2\x80\xae" "cba \xc2\x9b" "1m";
	e.field = "name\xe2\x80\x8b";
	env.body_case = HEARTH__ENVELOPE__BODY_ERROR;
	env.error = &e;
	err_open();
	assert_int_equal(cli_refused("sync", "push", &env), EXIT_FAIL);
	out = err_close();
	assert_string_equal(out, "hearth: sync: the server refused the push: bad\\x1B[2J\\x0Ahearth: sync: all good "
	                         "\\u202Ecba \\u009B1m (field name\\u200B)\n");
	free(out);
}

static void test_client_error_sanitised(void **state)
{
	char *out;
	(void)state;

	err_open();
	cli_error("member add: %s", "two\nlines \x1b]0;title\x07 \xc2\x9d");
	out = err_close();
	assert_string_equal(out, "hearth: member add: two\nlines \\x1B]0;title\\x07 \\u009D\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_refusal_sanitised),
		cmocka_unit_test(test_client_error_sanitised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
