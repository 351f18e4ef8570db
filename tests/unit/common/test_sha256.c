/* test_sha256.c: hearth_sha256 gives the standard digests, from any thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <openssl/sha.h>

#include <cmocka.h>

#include "common/sha256.h"

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* FIPS 180-2 test vectors, and the empty input given as NULL. */
static void test_vectors(void **state)
{
	uint8_t d[32];
	char h[65];

	(void)state;
	hearth_sha256("abc", 3, d);
	hex(d, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hearth_sha256(NULL, 0, d);
	hex(d, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_non_null(hearth_sha256_md());
}

static void *hash_many(void *arg)
{
	uint8_t buf[1000], d[32], want[32];
	int *bad = arg;

	for (int i = 0; i < 200; i++) {
		memset(buf, i, sizeof(buf));
		hearth_sha256(buf, (size_t)i * 5, d);
		SHA256(buf, (size_t)i * 5, want);
		if (memcmp(d, want, 32) != 0)
			(*bad)++;
	}
	return NULL;
}

/* The writer thread and the loop thread hash at once. */
static void test_threads(void **state)
{
	pthread_t t[4];
	int bad[4] = { 0 };

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hash_many, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(bad[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
