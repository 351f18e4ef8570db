/* test_frame.c: the frame decoder yields the same frames for any split of the stream and refuses bad lengths before allocating. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* frame.c is compiled into this test with malloc redirected, so that the
 * tests can see every allocation size the decoder asks for and make one
 * fail on purpose.  <stdlib.h> is included above first so that the macro
 * only touches frame.c's calls, not the library's declaration. */
static size_t largest_alloc;    /* biggest size frame.c asked for */
static size_t alloc_calls;
static int fail_next_alloc;

static void *counting_malloc(size_t n)
{
	alloc_calls++;
	if (n > largest_alloc)
		largest_alloc = n;
	if (fail_next_alloc) {
		fail_next_alloc = 0;
		return NULL;
	}
	return malloc(n);
}

#define malloc(n) counting_malloc(n)
#include "common/frame.c"
#undef malloc

#include "common/hearth.h"

struct stream {
	uint8_t *bytes;
	size_t len;
	size_t nframes;
	uint32_t lens[8];
	size_t offs[8];   /* payload offsets in bytes */
};

/* Payload bytes are a function of (frame, position) so that a frame handed
 * out with another frame's bytes, or shifted by one, cannot compare equal. */
static uint8_t payload_byte(size_t frame, size_t i)
{
	return (uint8_t)(i * 31u + frame * 101u + (i >> 8));
}

static void stream_build(struct stream *s, const uint32_t *lens, size_t n)
{
	size_t total = 0, pos = 0;

	assert_true(n <= HEARTH_ARRAY_LEN(s->lens));
	for (size_t f = 0; f < n; f++)
		total += FRAME_HEADER_LEN + lens[f];
	s->bytes = malloc(total);
	assert_non_null(s->bytes);
	s->len = total;
	s->nframes = n;
	for (size_t f = 0; f < n; f++) {
		frame_header(s->bytes + pos, lens[f]);
		pos += FRAME_HEADER_LEN;
		s->lens[f] = lens[f];
		s->offs[f] = pos;
		for (size_t i = 0; i < lens[f]; i++)
			s->bytes[pos + i] = payload_byte(f, i);
		pos += lens[f];
	}
}

static void stream_free(struct stream *s)
{
	free(s->bytes);
	s->bytes = NULL;
}

/* Feeds one chunk completely, checking each frame that comes out against
 * the expected one; *next is the index of the next expected frame. */
static void feed_chunk(frame_decoder *d, const struct stream *s, const uint8_t *p,
                       size_t len, size_t *next)
{
	while (len > 0) {
		uint8_t *out = NULL;
		uint32_t out_len = 0;
		size_t used = 0;
		int rc = frame_decode(d, p, len, &used, &out, &out_len);

		assert_true(used <= len);
		p += used;
		len -= used;
		if (rc == HEARTH_EAGAIN) {
			assert_int_equal(len, 0);
			assert_null(out);
			return;
		}
		assert_int_equal(rc, 0);
		assert_true(*next < s->nframes);
		assert_int_equal(out_len, s->lens[*next]);
		assert_memory_equal(out, s->bytes + s->offs[*next], out_len);
		free(out);
		(*next)++;
	}
}

/* Decodes the whole stream cut at the given offsets (ascending, each in
 * 1..len-1) and checks that exactly the expected frames came out. */
static void decode_with_cuts(const struct stream *s, uint32_t max, const size_t *cuts,
                             size_t ncuts)
{
	frame_decoder d;
	size_t next = 0, start = 0;

	frame_decoder_init(&d, max);
	for (size_t c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : s->len;

		feed_chunk(&d, s, s->bytes + start, end - start, &next);
		start = end;
	}
	assert_int_equal(next, s->nframes);
	assert_false(frame_decoder_partial(&d));
	frame_decoder_free(&d);
}

static const uint32_t small_lens[] = { 1, 5, 1, 2, 17, 3 };
static const uint32_t big_lens[] = { 1, 100 * 1024 + 7, 1, 300, 65536, 2 };

static void test_small_every_two_piece_split(void **state)
{
	struct stream s;

	(void)state;
	stream_build(&s, small_lens, HEARTH_ARRAY_LEN(small_lens));
	for (size_t cut = 1; cut < s.len; cut++)
		decode_with_cuts(&s, 1024, &cut, 1);
	stream_free(&s);
}

/* Three pieces cover every pair of cut points: a header split in two places,
 * a header and payload both split, and so on. */
static void test_small_every_three_piece_split(void **state)
{
	struct stream s;

	(void)state;
	stream_build(&s, small_lens, HEARTH_ARRAY_LEN(small_lens));
	for (size_t a = 1; a < s.len; a++) {
		for (size_t b = a + 1; b < s.len; b++) {
			size_t cuts[2] = { a, b };

			decode_with_cuts(&s, 1024, cuts, 2);
		}
	}
	stream_free(&s);
}

static void test_whole_stream_in_one_call(void **state)
{
	struct stream s;

	(void)state;
	stream_build(&s, big_lens, HEARTH_ARRAY_LEN(big_lens));
	decode_with_cuts(&s, HEARTH_FRAME_MAX_DEFAULT, NULL, 0);
	stream_free(&s);
}

static void test_byte_by_byte(void **state)
{
	struct stream s;
	frame_decoder d;
	size_t next = 0;

	(void)state;
	stream_build(&s, big_lens, HEARTH_ARRAY_LEN(big_lens));
	frame_decoder_init(&d, HEARTH_FRAME_MAX_DEFAULT);
	for (size_t i = 0; i < s.len; i++)
		feed_chunk(&d, &s, s.bytes + i, 1, &next);
	assert_int_equal(next, s.nframes);
	assert_false(frame_decoder_partial(&d));
	frame_decoder_free(&d);
	stream_free(&s);
}

/* Two-piece splits of the big stream at every offset near a frame boundary
 * (every offset of the whole 100 KB stream would only repeat these cases
 * at great cost), plus a sweep with a stride through the big payloads. */
static void test_big_split_near_boundaries(void **state)
{
	struct stream s;

	(void)state;
	stream_build(&s, big_lens, HEARTH_ARRAY_LEN(big_lens));
	for (size_t f = 0; f < s.nframes; f++) {
		size_t hdr = s.offs[f] - FRAME_HEADER_LEN;
		size_t lo = hdr > 6 ? hdr - 6 : 1;
		size_t hi = s.offs[f] + 6;

		for (size_t cut = lo; cut <= hi && cut < s.len; cut++)
			decode_with_cuts(&s, HEARTH_FRAME_MAX_DEFAULT, &cut, 1);
	}
	for (size_t cut = 1; cut < s.len; cut += 4099)
		decode_with_cuts(&s, HEARTH_FRAME_MAX_DEFAULT, &cut, 1);
	stream_free(&s);
}

/* A fixed-seed generator so that a failure reproduces exactly. */
static uint32_t lcg_next(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void test_random_chunkings(void **state)
{
	struct stream s;
	size_t *cuts;
	uint32_t seed = 20240601u;

	(void)state;
	stream_build(&s, big_lens, HEARTH_ARRAY_LEN(big_lens));
	cuts = malloc(s.len * sizeof(*cuts));
	assert_non_null(cuts);
	for (int round = 0; round < 100; round++) {
		size_t n = 0, pos = 0;
		/* Alternate small and large chunk sizes so both header splits and
		 * multi-frame chunks occur. */
		uint32_t span = round % 2 ? 9 : 40000;

		for (;;) {
			pos += 1 + lcg_next(&seed) % span;
			if (pos >= s.len)
				break;
			cuts[n++] = pos;
		}
		decode_with_cuts(&s, HEARTH_FRAME_MAX_DEFAULT, cuts, n);
	}
	free(cuts);
	stream_free(&s);
}

static void test_zero_length_is_eproto(void **state)
{
	static const uint8_t zero[] = { 0, 0, 0, 0, 0, 0, 0, 1, 'x' };
	frame_decoder d;
	uint8_t *out = (uint8_t *)&d;
	uint32_t out_len = 7;
	size_t used = 0;

	(void)state;
	frame_decoder_init(&d, 1024);
	assert_int_equal(frame_decode(&d, zero, sizeof(zero), &used, &out, &out_len),
	                 HEARTH_EPROTO);
	assert_null(out);
	assert_int_equal(out_len, 0);
	assert_int_equal(used, FRAME_HEADER_LEN);
	frame_decoder_free(&d);
}

static void test_oversize_refused_before_alloc(void **state)
{
	static const uint8_t hdr[] = { 0xff, 0xff, 0xff, 0xff, 1, 2, 3 };
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0;

	(void)state;
	largest_alloc = 0;
	alloc_calls = 0;
	frame_decoder_init(&d, 1024);
	/* Split the header so the check happens on a later call too. */
	assert_int_equal(frame_decode(&d, hdr, 2, &used, &out, &out_len), HEARTH_EAGAIN);
	assert_int_equal(used, 2);
	assert_true(frame_decoder_partial(&d));
	assert_int_equal(frame_decode(&d, hdr + 2, sizeof(hdr) - 2, &used, &out, &out_len),
	                 HEARTH_ETOOBIG);
	assert_int_equal(d.bad_len, UINT32_MAX);
	assert_null(out);
	assert_int_equal(alloc_calls, 0);
	assert_int_equal(largest_alloc, 0);
	frame_decoder_free(&d);
}

static void test_limit_is_inclusive(void **state)
{
	uint8_t buf[FRAME_HEADER_LEN + 1025];
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0;

	(void)state;
	memset(buf, 0xab, sizeof(buf));
	frame_header(buf, 1024);
	frame_decoder_init(&d, 1024);
	largest_alloc = 0;
	assert_int_equal(frame_decode(&d, buf, FRAME_HEADER_LEN + 1024, &used, &out, &out_len), 0);
	assert_int_equal(out_len, 1024);
	/* Proves the malloc redirection sees the decoder's allocations. */
	assert_int_equal(largest_alloc, 1024);
	free(out);

	frame_header(buf, 1025);
	largest_alloc = 0;
	assert_int_equal(frame_decode(&d, buf, sizeof(buf), &used, &out, &out_len),
	                 HEARTH_ETOOBIG);
	assert_int_equal(d.bad_len, 1025);
	assert_int_equal(largest_alloc, 0);
	frame_decoder_free(&d);
}

static void test_truncated_frame_is_partial(void **state)
{
	uint8_t buf[FRAME_HEADER_LEN + 10];
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0;

	(void)state;
	memset(buf, 7, sizeof(buf));
	frame_header(buf, 10);
	frame_decoder_init(&d, 1024);
	assert_false(frame_decoder_partial(&d));
	/* Empty input is not a frame and changes nothing. */
	assert_int_equal(frame_decode(&d, buf, 0, &used, &out, &out_len), HEARTH_EAGAIN);
	assert_int_equal(used, 0);
	assert_false(frame_decoder_partial(&d));
	/* Header only. */
	assert_int_equal(frame_decode(&d, buf, FRAME_HEADER_LEN, &used, &out, &out_len),
	                 HEARTH_EAGAIN);
	assert_true(frame_decoder_partial(&d));
	/* Part of the payload: EOF here is a truncated frame. */
	assert_int_equal(frame_decode(&d, buf + FRAME_HEADER_LEN, 9, &used, &out, &out_len),
	                 HEARTH_EAGAIN);
	assert_int_equal(used, 9);
	assert_null(out);
	assert_true(frame_decoder_partial(&d));
	/* The decoder must free the partial payload. */
	frame_decoder_free(&d);
	assert_false(frame_decoder_partial(&d));
}

/* The new limit applies from the next header: a frame already announced
 * under the old limit completes even if the limit is lowered under it. */
static void test_set_max(void **state)
{
	uint8_t buf[FRAME_HEADER_LEN + 2000];
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0;

	(void)state;
	memset(buf, 1, sizeof(buf));
	frame_header(buf, 2000);
	frame_decoder_init(&d, 1024);
	frame_decoder_set_max(&d, 4096);
	assert_int_equal(frame_decode(&d, buf, 100, &used, &out, &out_len), HEARTH_EAGAIN);
	frame_decoder_set_max(&d, 16);
	assert_int_equal(frame_decode(&d, buf + 100, sizeof(buf) - 100, &used, &out, &out_len), 0);
	assert_int_equal(out_len, 2000);
	free(out);
	/* The next header sees the lowered limit. */
	assert_int_equal(frame_decode(&d, buf, sizeof(buf), &used, &out, &out_len),
	                 HEARTH_ETOOBIG);
	assert_int_equal(d.bad_len, 2000);
	frame_decoder_free(&d);
}

static void test_errors_are_sticky(void **state)
{
	uint8_t good[FRAME_HEADER_LEN + 1] = { 0, 0, 0, 1, 'a' };
	static const uint8_t zero[FRAME_HEADER_LEN] = { 0 };
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0;

	(void)state;
	frame_decoder_init(&d, 1024);
	assert_int_equal(frame_decode(&d, zero, sizeof(zero), &used, &out, &out_len),
	                 HEARTH_EPROTO);
	for (int i = 0; i < 3; i++) {
		used = 99;
		assert_int_equal(frame_decode(&d, good, sizeof(good), &used, &out, &out_len),
		                 HEARTH_EPROTO);
		assert_int_equal(used, 0);
		assert_null(out);
	}
	/* Raising the limit does not revive a failed decoder. */
	frame_decoder_set_max(&d, HEARTH_FRAME_MAX_CAP);
	assert_int_equal(frame_decode(&d, good, sizeof(good), &used, &out, &out_len),
	                 HEARTH_EPROTO);
	frame_decoder_free(&d);

	frame_decoder_init(&d, 4);
	frame_header(good, 5);
	assert_int_equal(frame_decode(&d, good, sizeof(good), &used, &out, &out_len),
	                 HEARTH_ETOOBIG);
	frame_header(good, 1);
	assert_int_equal(frame_decode(&d, good, sizeof(good), &used, &out, &out_len),
	                 HEARTH_ETOOBIG);
	assert_int_equal(d.bad_len, 5);
	frame_decoder_free(&d);

	/* Re-initialising gives a working decoder again. */
	frame_decoder_init(&d, 4);
	assert_int_equal(frame_decode(&d, good, sizeof(good), &used, &out, &out_len), 0);
	assert_int_equal(out_len, 1);
	assert_int_equal(out[0], 'a');
	free(out);
	frame_decoder_free(&d);
}

static void test_alloc_failure_is_enomem_and_sticky(void **state)
{
	uint8_t buf[FRAME_HEADER_LEN + 3] = { 0, 0, 0, 3, 'a', 'b', 'c' };
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0;

	(void)state;
	frame_decoder_init(&d, 1024);
	fail_next_alloc = 1;
	assert_int_equal(frame_decode(&d, buf, sizeof(buf), &used, &out, &out_len),
	                 HEARTH_ENOMEM);
	assert_null(out);
	assert_int_equal(frame_decode(&d, buf, sizeof(buf), &used, &out, &out_len),
	                 HEARTH_ENOMEM);
	frame_decoder_free(&d);
}

/* A peer announcing 4 MiB and sending ten bytes costs a few KiB, not
 * 4 MiB; the buffer then grows geometrically with what arrives, never past
 * the announced length, and the frame comes out whole. */
static void test_memory_follows_bytes(void **state)
{
	const uint32_t n = 4u << 20;
	uint8_t *stream = malloc(FRAME_HEADER_LEN + (size_t)n);
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0, pos;
	int rc = HEARTH_EAGAIN;

	(void)state;
	assert_non_null(stream);
	frame_header(stream, n);
	for (uint32_t i = 0; i < n; i++)
		stream[FRAME_HEADER_LEN + i] = payload_byte(0, i);
	frame_decoder_init(&d, n);
	largest_alloc = 0;
	alloc_calls = 0;
	assert_int_equal(frame_decoder_held(&d), 0);
	assert_int_equal(frame_decode(&d, stream, FRAME_HEADER_LEN + 10, &used, &out, &out_len),
	                 HEARTH_EAGAIN);
	assert_int_equal(used, FRAME_HEADER_LEN + 10);
	assert_true(frame_decoder_partial(&d));
	assert_true(frame_decoder_held(&d) >= 10);
	assert_true(frame_decoder_held(&d) <= 8192);
	assert_true(largest_alloc <= 8192);
	/* The rest, in 1000-byte pieces: held stays within twice what came. */
	pos = FRAME_HEADER_LEN + 10;
	while (rc == HEARTH_EAGAIN && pos < FRAME_HEADER_LEN + (size_t)n) {
		size_t piece = FRAME_HEADER_LEN + (size_t)n - pos < 1000 ? FRAME_HEADER_LEN + n - pos
		                                                          : 1000;

		rc = frame_decode(&d, stream + pos, piece, &used, &out, &out_len);
		pos += used;
		if (rc == HEARTH_EAGAIN)
			assert_true(frame_decoder_held(&d) <= 2 * (pos - FRAME_HEADER_LEN) + 4096);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, stream + FRAME_HEADER_LEN, n);
	assert_int_equal(largest_alloc, n);
	assert_true(alloc_calls <= 12);
	assert_int_equal(frame_decoder_held(&d), 0);
	assert_false(frame_decoder_partial(&d));
	free(out);
	free(stream);
	frame_decoder_free(&d);
}

/* With frame_decoder_set_first, a payload's first buffer takes its
 * announced length at once, up to the bound: one allocation for a frame of
 * megabytes arriving in pieces, and the next frame starts the same way; a
 * longer frame takes the bound first and grows from there. */
static void test_first_buffer_takes_the_announced_length(void **state)
{
	const uint32_t n = 3u << 20;
	uint8_t *stream = malloc(2 * ((size_t)FRAME_HEADER_LEN + n));
	frame_decoder d;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t used = 0, pos = 0, total = 2 * ((size_t)FRAME_HEADER_LEN + n);
	int frames = 0;

	(void)state;
	assert_non_null(stream);
	for (int f = 0; f < 2; f++) {
		uint8_t *p = stream + f * ((size_t)FRAME_HEADER_LEN + n);
		frame_header(p, n);
		for (uint32_t i = 0; i < n; i++)
			p[FRAME_HEADER_LEN + i] = payload_byte(f, i);
	}
	frame_decoder_init(&d, 4u << 20);
	frame_decoder_set_first(&d, 4u << 20);
	alloc_calls = 0;
	largest_alloc = 0;
	while (pos < total) {
		size_t piece = total - pos < 16384 ? total - pos : 16384;
		int rc = frame_decode(&d, stream + pos, piece, &used, &out, &out_len);

		pos += used;
		if (rc == HEARTH_EAGAIN) {
			if (frame_decoder_partial(&d) && frame_decoder_held(&d))
				assert_int_equal(frame_decoder_held(&d), n);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(out_len, n);
		assert_memory_equal(out, stream + frames * ((size_t)FRAME_HEADER_LEN + n) + FRAME_HEADER_LEN, n);
		free(out);
		frames++;
	}
	assert_int_equal(frames, 2);
	assert_int_equal(alloc_calls, 2);
	assert_int_equal(largest_alloc, n);

	/* A frame longer than the bound: the bound first, then doubling. */
	frame_decoder_free(&d);
	frame_decoder_init(&d, 4u << 20);
	frame_decoder_set_first(&d, 1u << 20);
	alloc_calls = 0;
	assert_int_equal(frame_decode(&d, stream, FRAME_HEADER_LEN + 10, &used, &out, &out_len), HEARTH_EAGAIN);
	assert_int_equal(frame_decoder_held(&d), 1u << 20);
	assert_int_equal(alloc_calls, 1);
	frame_decoder_free(&d);
	free(stream);
}

static void test_header_is_big_endian(void **state)
{
	uint8_t hdr[FRAME_HEADER_LEN];

	(void)state;
	frame_header(hdr, 0x01020304u);
	assert_int_equal(hdr[0], 1);
	assert_int_equal(hdr[1], 2);
	assert_int_equal(hdr[2], 3);
	assert_int_equal(hdr[3], 4);
	frame_header(hdr, UINT32_MAX);
	assert_int_equal(hdr[0], 0xff);
	assert_int_equal(hdr[3], 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_every_two_piece_split),
		cmocka_unit_test(test_small_every_three_piece_split),
		cmocka_unit_test(test_whole_stream_in_one_call),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_big_split_near_boundaries),
		cmocka_unit_test(test_random_chunkings),
		cmocka_unit_test(test_zero_length_is_eproto),
		cmocka_unit_test(test_oversize_refused_before_alloc),
		cmocka_unit_test(test_limit_is_inclusive),
		cmocka_unit_test(test_truncated_frame_is_partial),
		cmocka_unit_test(test_set_max),
		cmocka_unit_test(test_errors_are_sticky),
		cmocka_unit_test(test_alloc_failure_is_enomem_and_sticky),
		cmocka_unit_test(test_header_is_big_endian),
		cmocka_unit_test(test_memory_follows_bytes),
		cmocka_unit_test(test_first_buffer_takes_the_announced_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
