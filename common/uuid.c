/* uuid.c: making UUIDv7 identifiers that sort in creation order, and their text form. */
#include "common/uuid.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "common/hearth.h"

/* The last timestamp handed out and the 12-bit counter used with it.  Both
 * are shared by every thread of the process, so they live behind a mutex. */
static pthread_mutex_t uuid_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms;
static uint32_t last_counter;

static uint64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* RFC 9562 method 1: the 12 bits of rand_a are a counter.  A new
 * millisecond seeds the counter with 11 random bits (the top bit stays 0 so
 * there is room to count up); a repeated millisecond, or a clock that went
 * backwards, reuses the last timestamp and increments the counter.  When
 * the counter runs out, the timestamp is advanced by one millisecond
 * ("borrowed" from the future) so the order is still strict.  The random
 * bytes are drawn before taking the lock so the critical section never
 * waits on the entropy source. */
int uuid_v7(uint8_t id[UUID_LEN])
{
	uint8_t rnd[UUID_LEN];
	uint64_t ms;
	uint32_t counter;

	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return HEARTH_EIO;
	ms = now_ms();

	pthread_mutex_lock(&uuid_lock);
	if (ms > last_ms) {
		counter = ((uint32_t)rnd[0] << 8 | rnd[1]) & 0x07ffu;
	} else {
		ms = last_ms;
		counter = last_counter + 1;
		if (counter > 0x0fffu) {
			ms++;
			counter = 0;
		}
	}
	last_ms = ms;
	last_counter = counter;
	pthread_mutex_unlock(&uuid_lock);

	ms &= 0xffffffffffffull;
	for (int i = 0; i < 6; i++)
		id[i] = (uint8_t)(ms >> (40 - 8 * i));
	id[6] = (uint8_t)(0x70u | (counter >> 8));
	id[7] = (uint8_t)(counter & 0xffu);
	memcpy(id + 8, rnd + 8, 8);
	id[8] = (uint8_t)(0x80u | (id[8] & 0x3fu));
	return 0;
}

void uuid_format(const uint8_t id[UUID_LEN], char out[UUID_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 0x0f];
	}
	out[o] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Only the canonical 8-4-4-4-12 form is accepted, with the string ending
 * right after it, so that an id typed with a stray character is refused
 * rather than silently read as a different id.  id is written only on
 * success. */
int uuid_parse(const char *text, uint8_t id[UUID_LEN])
{
	uint8_t tmp[UUID_LEN];
	size_t t = 0;

	if (text == NULL)
		return HEARTH_EINVAL;
	for (int i = 0; i < UUID_LEN; i++) {
		int hi, lo;

		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (text[t] != '-')
				return HEARTH_EINVAL;
			t++;
		}
		hi = hexval(text[t]);
		if (hi < 0)
			return HEARTH_EINVAL;
		lo = hexval(text[t + 1]);
		if (lo < 0)
			return HEARTH_EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
		t += 2;
	}
	if (text[t] != '\0')
		return HEARTH_EINVAL;
	memcpy(id, tmp, UUID_LEN);
	return 0;
}
