/* test_envelope.c: Envelopes survive pack, frame and unpack, and every unpack failure (bad bytes, limits, out of memory) frees all it took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/envelope.h"
#include "common/frame.h"
#include "common/hearth.h"

/* A ProtobufCAllocator that succeeds `budget` times and then fails every
 * call, counting live blocks, as protobuf-c's own generated-code2 test and
 * SQLite's test_malloc.c do: run an operation at budget 0, 1, 2, ... until
 * it succeeds and every failure path is proven to free what it took. */
struct countdown {
	size_t budget;
	size_t calls;   /* successful allocations so far */
	long live;      /* allocations not yet freed */
};

static void *countdown_alloc(void *data, size_t size)
{
	struct countdown *c = data;
	void *p;

	if (c->calls >= c->budget)
		return NULL;
	p = malloc(size);
	if (p != NULL) {
		c->calls++;
		c->live++;
	}
	return p;
}

static void countdown_free(void *data, void *ptr)
{
	struct countdown *c = data;

	if (ptr != NULL) {
		c->live--;
		free(ptr);
	}
}

/* Packs env as a frame, runs the frame through the decoder (as the server
 * will) and unpacks the payload.  Returns the unpacked envelope. */
static Hearth__Envelope *round_trip(const Hearth__Envelope *env)
{
	frame_decoder d;
	uint8_t *frame = NULL, *payload = NULL;
	size_t frame_len = 0, used = 0;
	uint32_t payload_len = 0;
	Hearth__Envelope *back = NULL;

	assert_int_equal(envelope_pack_frame(env, HEARTH_FRAME_MAX_DEFAULT, &frame, &frame_len), 0);
	assert_true(frame_len > FRAME_HEADER_LEN);
	frame_decoder_init(&d, HEARTH_FRAME_MAX_DEFAULT);
	assert_int_equal(frame_decode(&d, frame, frame_len, &used, &payload, &payload_len), 0);
	assert_int_equal(used, frame_len);
	assert_int_equal(payload_len, frame_len - FRAME_HEADER_LEN);
	assert_int_equal(envelope_unpack(payload, payload_len, HEARTH_FRAME_MAX_DEFAULT, NULL,
	                                 &back), 0);
	assert_non_null(back);
	frame_decoder_free(&d);
	free(payload);
	free(frame);
	return back;
}

static void test_hello_round_trip(void **state)
{
	static const uint8_t rid[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t head[32] = { 0xaa, 0xbb };
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__Hello hello = HEARTH__HELLO__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	Hearth__Envelope *back;

	(void)state;
	cp.size = 42;
	cp.head_hash.data = (uint8_t *)head;
	cp.head_hash.len = sizeof(head);
	cp.time = 1700000000000;
	hello.protocol_major = HEARTH_PROTOCOL_MAJOR;
	hello.protocol_minor = HEARTH_PROTOCOL_MINOR;
	hello.client_version = HEARTH_VERSION;
	hello.replica_id.data = (uint8_t *)rid;
	hello.replica_id.len = sizeof(rid);
	hello.last_checkpoint = &cp;
	env.request_id = 1;
	env.body_case = HEARTH__ENVELOPE__BODY_HELLO;
	env.hello = &hello;

	back = round_trip(&env);
	assert_int_equal(back->request_id, 1);
	assert_int_equal(back->body_case, HEARTH__ENVELOPE__BODY_HELLO);
	assert_string_equal(envelope_body_name(back), "hello");
	assert_int_equal(back->hello->protocol_major, HEARTH_PROTOCOL_MAJOR);
	assert_int_equal(back->hello->protocol_minor, HEARTH_PROTOCOL_MINOR);
	assert_string_equal(back->hello->client_version, HEARTH_VERSION);
	assert_int_equal(back->hello->replica_id.len, sizeof(rid));
	assert_memory_equal(back->hello->replica_id.data, rid, sizeof(rid));
	assert_non_null(back->hello->last_checkpoint);
	assert_int_equal(back->hello->last_checkpoint->size, 42);
	assert_int_equal(back->hello->last_checkpoint->time, 1700000000000);
	assert_memory_equal(back->hello->last_checkpoint->head_hash.data, head, sizeof(head));
	envelope_free(back, NULL);
}

static void test_welcome_round_trip(void **state)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__Welcome w = HEARTH__WELCOME__INIT;
	Hearth__Principal p = HEARTH__PRINCIPAL__INIT;
	Hearth__Envelope *back;

	(void)state;
	p.role = HEARTH__ROLE__ROLE_BRANCH;
	p.org = "example";
	p.branch_id = "b-07";
	p.name = "张三";
	p.fingerprint = "00ff";
	w.server_version = HEARTH_VERSION;
	w.principal = &p;
	w.server_time = -5;   /* a negative int64 is a 10-byte varint on the wire */
	w.protocol_major = 1;
	env.request_id = UINT64_MAX;
	env.body_case = HEARTH__ENVELOPE__BODY_WELCOME;
	env.welcome = &w;

	back = round_trip(&env);
	assert_true(back->request_id == UINT64_MAX);
	assert_string_equal(envelope_body_name(back), "welcome");
	assert_string_equal(back->welcome->server_version, HEARTH_VERSION);
	assert_int_equal(back->welcome->server_time, -5);
	assert_null(back->welcome->checkpoint);
	assert_int_equal(back->welcome->principal->role, HEARTH__ROLE__ROLE_BRANCH);
	assert_string_equal(back->welcome->principal->org, "example");
	assert_string_equal(back->welcome->principal->branch_id, "b-07");
	assert_string_equal(back->welcome->principal->name, "张三");
	assert_string_equal(back->welcome->principal->fingerprint, "00ff");
	envelope_free(back, NULL);
}

/* An empty Ping is the smallest useful Envelope: the body is present but
 * has no fields, and it must still be told apart from "no body". */
static void test_ping_round_trip(void **state)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__Ping ping = HEARTH__PING__INIT;
	Hearth__Envelope *back;

	(void)state;
	env.body_case = HEARTH__ENVELOPE__BODY_PING;
	env.ping = &ping;
	back = round_trip(&env);
	assert_int_equal(back->request_id, 0);
	assert_int_equal(back->body_case, HEARTH__ENVELOPE__BODY_PING);
	assert_int_equal(back->ping->client_time, 0);
	envelope_free(back, NULL);

	ping.client_time = 123456789;
	env.request_id = 9;
	back = round_trip(&env);
	assert_string_equal(envelope_body_name(back), "ping");
	assert_int_equal(back->ping->client_time, 123456789);
	envelope_free(back, NULL);
}

static void test_error_round_trip(void **state)
{
	Hearth__Envelope env;
	Hearth__Error err;
	Hearth__Envelope *back;

	(void)state;
	envelope_set_error(&env, &err, 77, HEARTH__ERROR_CODE__ERR_TOO_LARGE,
	                   "frame of 5000000 bytes is over the limit of 4194304", "frame");
	back = round_trip(&env);
	assert_int_equal(back->request_id, 77);
	assert_string_equal(envelope_body_name(back), "error");
	assert_int_equal(back->error->code, HEARTH__ERROR_CODE__ERR_TOO_LARGE);
	assert_string_equal(back->error->message,
	                    "frame of 5000000 bytes is over the limit of 4194304");
	assert_string_equal(back->error->field, "frame");
	envelope_free(back, NULL);

	/* NULL strings are sent as empty. */
	envelope_set_error(&env, &err, 78, HEARTH__ERROR_CODE__ERR_INTERNAL, NULL, NULL);
	back = round_trip(&env);
	assert_int_equal(back->error->code, HEARTH__ERROR_CODE__ERR_INTERNAL);
	assert_string_equal(back->error->message, "");
	assert_string_equal(back->error->field, "");
	envelope_free(back, NULL);
}

static void expect_unpack(const uint8_t *buf, size_t len, size_t max, int want)
{
	Hearth__Envelope *env = (Hearth__Envelope *)&env;   /* must be cleared */

	assert_int_equal(envelope_unpack(buf, len, max, NULL, &env), want);
	assert_null(env);
}

static void test_garbage_is_eproto(void **state)
{
	static const uint8_t varint_overrun[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                          0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t bad_wire_type[] = { 0x0f, 0x00 };
	static const uint8_t short_body[] = { 0x52, 0x10, 0x01 };        /* hello, len 16, 1 byte */
	static const uint8_t truncated_varint[] = { 0x08, 0x80 };        /* request_id, cut */
	static const uint8_t bad_nested[] = { 0x52, 0x02, 0x0f, 0x00 };  /* hello with bad tag */
	static const uint8_t text[] = "GET / HTTP/1.1\r\n\r\n";

	(void)state;
	expect_unpack(varint_overrun, sizeof(varint_overrun), 1024, HEARTH_EPROTO);
	expect_unpack(bad_wire_type, sizeof(bad_wire_type), 1024, HEARTH_EPROTO);
	expect_unpack(short_body, sizeof(short_body), 1024, HEARTH_EPROTO);
	expect_unpack(truncated_varint, sizeof(truncated_varint), 1024, HEARTH_EPROTO);
	expect_unpack(bad_nested, sizeof(bad_nested), 1024, HEARTH_EPROTO);
	expect_unpack(text, sizeof(text) - 1, 1024, HEARTH_EPROTO);
}

/* Regression (fuzz_envelope): protobuf-c 1.4.1 accepts field number 0 when
 * its tag is padded to two bytes, and the result cannot be re-encoded. */
static void test_field_zero_is_eproto(void **state)
{
	static const uint8_t padded_one_byte[] = { 0x6a, 0x00, 0x02, 0x00 };           /* plain 0x02 */
	static const uint8_t top_level[] = { 0x6a, 0x00, 0x80, 0x00, 0x01 };
	static const uint8_t in_ping[] = { 0x6a, 0x03, 0x80, 0x00, 0x01 };
	static const uint8_t in_op[] = { 0xa2, 0x01, 0x05, 0x0a, 0x03, 0x82, 0x00, 0x00 }; /* push.ops[0] */
	static const uint8_t ok_unknown[] = { 0x6a, 0x00, 0xf8, 0x05, 0x01 };          /* field 95 */
	Hearth__Envelope *env = NULL;

	(void)state;
	expect_unpack(padded_one_byte, sizeof(padded_one_byte), 1024, HEARTH_EPROTO);
	expect_unpack(top_level, sizeof(top_level), 1024, HEARTH_EPROTO);
	expect_unpack(in_ping, sizeof(in_ping), 1024, HEARTH_EPROTO);
	expect_unpack(in_op, sizeof(in_op), 1024, HEARTH_EPROTO);
	/* Unknown fields with real numbers stay acceptable: newer peers add fields. */
	assert_int_equal(envelope_unpack(ok_unknown, sizeof(ok_unknown), 1024, NULL, &env), 0);
	assert_int_equal(env->body_case, HEARTH__ENVELOPE__BODY_PING);
	envelope_free(env, NULL);
}

static void test_empty_body_is_eproto(void **state)
{
	static const uint8_t only_request_id[] = { 0x08, 0x05 };
	static const uint8_t unknown_field_only[] = { 0x08, 0x05, 0xf8, 0x05, 0x01 }; /* field 95 */
	static const uint8_t none[1] = { 0 };

	(void)state;
	expect_unpack(only_request_id, sizeof(only_request_id), 1024, HEARTH_EPROTO);
	expect_unpack(unknown_field_only, sizeof(unknown_field_only), 1024, HEARTH_EPROTO);
	expect_unpack(none, 0, 1024, HEARTH_EPROTO);
}

static void test_over_max_is_etoobig(void **state)
{
	uint8_t *frame = NULL;
	size_t frame_len = 0;
	Hearth__Envelope env;
	Hearth__Error err;
	Hearth__Envelope empty = HEARTH__ENVELOPE__INIT;

	(void)state;
	envelope_set_error(&env, &err, 1, HEARTH__ERROR_CODE__ERR_PROTOCOL, "0123456789", "");
	assert_int_equal(envelope_pack_frame(&env, 1024, &frame, &frame_len), 0);
	/* Valid bytes one over the limit are refused without being parsed. */
	expect_unpack(frame + FRAME_HEADER_LEN, frame_len - FRAME_HEADER_LEN,
	              frame_len - FRAME_HEADER_LEN - 1, HEARTH_ETOOBIG);
	free(frame);

	/* pack_frame bounds the payload the same way, inclusively. */
	frame = (uint8_t *)&env;
	assert_int_equal(envelope_pack_frame(&env, 5, &frame, &frame_len), HEARTH_ETOOBIG);
	assert_null(frame);
	assert_int_equal(frame_len, 0);
	assert_int_equal(envelope_pack_frame(&env, hearth__envelope__get_packed_size(&env),
	                                     &frame, &frame_len), 0);
	free(frame);

	/* A bodiless envelope would make a zero-length frame. */
	assert_int_equal(envelope_pack_frame(&empty, 1024, &frame, &frame_len), HEARTH_EINVAL);
	assert_null(frame);
}

/* A Push with several Ops, each with a Record with a Member body, bytes
 * fields and repeated scalars: enough nesting that protobuf-c allocates
 * dozens of blocks, each a distinct failure point. */
static uint8_t *build_push_payload(size_t *len)
{
	static const char *names[] = { "李四", "王五", "赵六" };
	Hearth__CareTag tags[] = { HEARTH__CARE_TAG__CARE_ELDERLY, HEARTH__CARE_TAG__CARE_LIVES_ALONE,
	                           HEARTH__CARE_TAG__CARE_ILL };
	uint32_t changed[] = { 1, 5, 14, 16 };
	uint8_t ids[3][16];
	Hearth__Member members[3];
	Hearth__Record records[3];
	Hearth__Op ops[3];
	Hearth__Op *op_ptrs[3];
	Hearth__PushRequest push = HEARTH__PUSH_REQUEST__INIT;
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	uint8_t *frame = NULL, *payload;
	size_t frame_len = 0;

	for (int i = 0; i < 3; i++) {
		memset(ids[i], 0x10 + i, sizeof(ids[i]));
		hearth__member__init(&members[i]);
		members[i].name = (char *)names[i];
		members[i].gender = HEARTH__GENDER__GENDER_FEMALE;
		members[i].birth_date = "1950-01-02";
		members[i].id_card = "110101195001020000";
		members[i].phone = "13800000000";
		members[i].address = "北京市东城区";
		members[i].n_care_tags = (size_t)i + 1;
		members[i].care_tags = tags;
		hearth__record__init(&records[i]);
		records[i].id.data = ids[i];
		records[i].id.len = sizeof(ids[i]);
		records[i].kind = HEARTH__KIND__KIND_MEMBER;
		records[i].branch_id = "b-01";
		records[i].body_case = HEARTH__RECORD__BODY_MEMBER;
		records[i].member = &members[i];
		hearth__op__init(&ops[i]);
		ops[i].op_id.data = ids[i];
		ops[i].op_id.len = sizeof(ids[i]);
		ops[i].record = &records[i];
		ops[i].base_rev = (uint64_t)i;
		ops[i].n_changed_fields = HEARTH_ARRAY_LEN(changed);
		ops[i].changed_fields = changed;
		ops[i].made_at = 1700000000000 + i;
		op_ptrs[i] = &ops[i];
	}
	push.n_ops = 3;
	push.ops = op_ptrs;
	env.request_id = 5;
	env.body_case = HEARTH__ENVELOPE__BODY_PUSH;
	env.push = &push;
	assert_int_equal(envelope_pack_frame(&env, HEARTH_FRAME_MAX_DEFAULT, &frame, &frame_len), 0);
	*len = frame_len - FRAME_HEADER_LEN;
	payload = malloc(*len);
	assert_non_null(payload);
	memcpy(payload, frame + FRAME_HEADER_LEN, *len);
	free(frame);
	return payload;
}

static void check_push(const Hearth__Envelope *env)
{
	assert_int_equal(env->request_id, 5);
	assert_string_equal(envelope_body_name(env), "push");
	assert_int_equal(env->push->n_ops, 3);
	for (size_t i = 0; i < 3; i++) {
		const Hearth__Op *op = env->push->ops[i];

		assert_int_equal(op->base_rev, i);
		assert_int_equal(op->n_changed_fields, 4);
		assert_int_equal(op->changed_fields[3], 16);
		assert_int_equal(op->op_id.len, 16);
		assert_int_equal(op->record->body_case, HEARTH__RECORD__BODY_MEMBER);
		assert_int_equal(op->record->member->n_care_tags, i + 1);
		assert_string_equal(op->record->member->address, "北京市东城区");
	}
	assert_string_equal(env->push->ops[0]->record->member->name, "李四");
}

static void test_countdown_allocator_every_failure_point(void **state)
{
	size_t len = 0;
	uint8_t *payload = build_push_payload(&len);
	size_t n;

	(void)state;
	for (n = 0; n < 10000; n++) {
		struct countdown c = { n, 0, 0 };
		ProtobufCAllocator alloc = { countdown_alloc, countdown_free, &c };
		Hearth__Envelope *env = NULL;
		int rc = envelope_unpack(payload, len, HEARTH_FRAME_MAX_DEFAULT, &alloc, &env);

		if (rc == 0) {
			assert_non_null(env);
			assert_int_equal(c.calls, n);   /* needed exactly the budget */
			check_push(env);
			envelope_free(env, &alloc);
			assert_int_equal(c.live, 0);
			break;
		}
		assert_int_equal(rc, HEARTH_ENOMEM);
		assert_null(env);
		assert_int_equal(c.live, 0);
	}
	/* The message must be big enough that the loop meant something. */
	assert_true(n >= 20);
	print_message("push envelope unpack: %zu allocations, every failure point freed\n", n);
	free(payload);
}

static void test_body_names(void **state)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	static const struct {
		Hearth__Envelope__BodyCase c;
		const char *name;
	} cases[] = {
		{ HEARTH__ENVELOPE__BODY__NOT_SET, "unknown" },
		{ HEARTH__ENVELOPE__BODY_HELLO, "hello" },
		{ HEARTH__ENVELOPE__BODY_WELCOME, "welcome" },
		{ HEARTH__ENVELOPE__BODY_ERROR, "error" },
		{ HEARTH__ENVELOPE__BODY_PING, "ping" },
		{ HEARTH__ENVELOPE__BODY_PONG, "pong" },
		{ HEARTH__ENVELOPE__BODY_PUSH, "push" },
		{ HEARTH__ENVELOPE__BODY_PUSH_RESULT, "push_result" },
		{ HEARTH__ENVELOPE__BODY_PULL, "pull" },
		{ HEARTH__ENVELOPE__BODY_PULL_RESULT, "pull_result" },
		{ HEARTH__ENVELOPE__BODY_DIGEST, "digest" },
		{ HEARTH__ENVELOPE__BODY_DIGEST_RESULT, "digest_result" },
		{ HEARTH__ENVELOPE__BODY_CHECKPOINTS_REQUEST, "checkpoints_request" },
		{ HEARTH__ENVELOPE__BODY_AUDIT_NOTE, "audit_note" },
		{ HEARTH__ENVELOPE__BODY_BRANCH_PUT, "branch_put" },
		{ HEARTH__ENVELOPE__BODY_SERVER_STATUS, "server_status" },
		{ (Hearth__Envelope__BodyCase)999, "unknown" },
	};

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(cases); i++) {
		env.body_case = cases[i].c;
		assert_string_equal(envelope_body_name(&env), cases[i].name);
	}
	/* Every body in the schema has its own name (a regression: names were
	 * once a hand-kept list that fell behind the schema). */
	for (unsigned i = 0; i < hearth__envelope__descriptor.n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &hearth__envelope__descriptor.fields[i];
		if (f->id == 1)
			continue;
		env.body_case = (Hearth__Envelope__BodyCase)f->id;
		assert_string_equal(envelope_body_name(&env), f->name);
	}
	assert_string_equal(envelope_body_name(NULL), "unknown");
}

/* errors.c has no test file of its own; its table is small enough to check
 * here: every code has its own text and unknown codes still get one. */
static void test_strerror_covers_every_code(void **state)
{
	(void)state;
	for (int a = HEARTH_ETIMEDOUT; a <= HEARTH_OK; a++) {
		assert_non_null(hearth_strerror(a));
		assert_string_not_equal(hearth_strerror(a), "unknown error code");
		for (int b = a + 1; b <= HEARTH_OK; b++)
			assert_string_not_equal(hearth_strerror(a), hearth_strerror(b));
	}
	assert_string_equal(hearth_strerror(-1000), "unknown error code");
	assert_string_equal(hearth_strerror(5), "unknown error code");
}

/* envelope_scan counts a push's ops from the wire bytes alone: what
 * protobuf-c packs, a hand-made 200,000-op frame of empty ops (which
 * protobuf-c would turn into 200,000 allocations), pushes split over two
 * occurrences of the body field (they merge), and it refuses truncation. */
static void test_scan_counts_push_ops_without_unpacking(void **state)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__PushRequest push = HEARTH__PUSH_REQUEST__INIT;
	Hearth__Op ops[3] = { HEARTH__OP__INIT, HEARTH__OP__INIT, HEARTH__OP__INIT };
	Hearth__Op *op_ptrs[3] = { &ops[0], &ops[1], &ops[2] };
	envelope_scan_result r;
	uint8_t *buf;
	size_t len, n = 200000, pos = 0;
	(void)state;

	env.request_id = 300;
	env.body_case = HEARTH__ENVELOPE__BODY_PUSH;
	env.push = &push;
	push.n_ops = 3;
	push.ops = op_ptrs;
	ops[1].base_rev = 7;
	len = hearth__envelope__get_packed_size(&env);
	buf = malloc(len);
	assert_non_null(buf);
	hearth__envelope__pack(&env, buf);
	assert_int_equal(envelope_scan(buf, len, &r), 0);
	assert_int_equal(r.request_id, 300);
	assert_int_equal(r.body, HEARTH__ENVELOPE__BODY_PUSH);
	assert_int_equal(r.push_ops, 3);
	assert_int_equal(envelope_scan(buf, len - 1, &r), HEARTH_EPROTO);
	free(buf);

	/* request_id 9, then push { n empty ops } twice: 2n ops in all. */
	buf = malloc(2 * (6 + 2 * n) + 2);
	assert_non_null(buf);
	buf[pos++] = 0x08;
	buf[pos++] = 9;
	for (int twice = 0; twice < 2; twice++) {
		size_t body = 2 * n;

		/* Tag (20 << 3 | 2) = 162: a two-byte varint. */
		buf[pos++] = (uint8_t)(((HEARTH__ENVELOPE__BODY_PUSH << 3) | 2) | 0x80);
		buf[pos++] = (uint8_t)(((HEARTH__ENVELOPE__BODY_PUSH << 3) | 2) >> 7);
		while (body >= 0x80) {
			buf[pos++] = (uint8_t)(body | 0x80);
			body >>= 7;
		}
		buf[pos++] = (uint8_t)body;
		for (size_t k = 0; k < n; k++) {
			buf[pos++] = 0x0a;
			buf[pos++] = 0;
		}
	}
	assert_int_equal(envelope_scan(buf, pos, &r), 0);
	assert_int_equal(r.request_id, 9);
	assert_int_equal(r.body, HEARTH__ENVELOPE__BODY_PUSH);
	assert_int_equal(r.push_ops, 2 * n);
	/* An op whose length runs past its push is malformed. */
	buf[pos - 1] = 5;
	assert_int_equal(envelope_scan(buf, pos, &r), HEARTH_EPROTO);
	free(buf);

	/* Not a push: no ops counted. */
	{
		Hearth__Ping ping = HEARTH__PING__INIT;
		uint8_t pb[64];

		env.body_case = HEARTH__ENVELOPE__BODY_PING;
		env.ping = &ping;
		len = hearth__envelope__pack(&env, pb);
		assert_int_equal(envelope_scan(pb, len, &r), 0);
		assert_int_equal(r.body, HEARTH__ENVELOPE__BODY_PING);
		assert_int_equal(r.push_ops, 0);
	}
}

/* envelope_pull_records finds each record's bytes in a packed pull answer
 * (what protobuf-c packs for records[i]), and declines every shape in
 * which the i-th record on the wire need not be records[i]: a count that
 * differs, the body field twice (protobuf merges them), another body,
 * fields of another kind; it refuses truncated bytes. */
static void test_pull_records_finds_each_record(void **state)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__PullResponse pr = HEARTH__PULL_RESPONSE__INIT;
	Hearth__Record recs[3] = { HEARTH__RECORD__INIT, HEARTH__RECORD__INIT, HEARTH__RECORD__INIT };
	Hearth__Record *rp[3] = { &recs[0], &recs[1], &recs[2] };
	Hearth__Conflict c = HEARTH__CONFLICT__INIT;
	Hearth__Conflict *cp[1] = { &c };
	char *branches[2] = { "b001", "b002" };
	uint8_t ids[3][16], buf[4096], twice[8192], one[512];
	envelope_bytes spans[4];
	size_t len, n;
	(void)state;

	for (int i = 0; i < 3; i++) {
		memset(ids[i], 0x11 * (i + 1), 16);
		recs[i].id.data = ids[i];
		recs[i].id.len = 16;
		recs[i].kind = HEARTH__KIND__KIND_MEMBER;
		recs[i].branch_id = branches[i % 2];
		recs[i].rev = (uint64_t)i + 1;
	}
	c.id.data = ids[0];
	c.id.len = 16;
	pr.records = rp;
	pr.n_records = 3;
	pr.conflicts = cp;
	pr.n_conflicts = 1;
	pr.cursor = 99;
	pr.more = 1;
	pr.n_scope_branches = 2;
	pr.scope_branches = branches;
	env.request_id = 7;
	env.body_case = HEARTH__ENVELOPE__BODY_PULL_RESULT;
	env.pull_result = &pr;
	len = hearth__envelope__pack(&env, buf);
	assert_int_equal(envelope_pull_records(buf, len, 3, spans), 0);
	for (int i = 0; i < 3; i++) {
		n = hearth__record__pack(&recs[i], one);
		assert_int_equal(spans[i].len, n);
		assert_memory_equal(spans[i].data, one, n);
		assert_true(spans[i].data > buf && spans[i].data + spans[i].len <= buf + len);
	}
	assert_int_equal(envelope_pull_records(buf, len, 2, spans), HEARTH_ENOTFOUND);
	assert_int_equal(envelope_pull_records(buf, len, 4, spans), HEARTH_ENOTFOUND);
	assert_int_equal(envelope_pull_records(buf, len - 1, 3, spans), HEARTH_EPROTO);

	/* The body twice: which records the unpacked form holds is up to the
	 * unpacker (protobuf-c keeps the second body's), so none is named. */
	memcpy(twice, buf, len);
	memcpy(twice + len, buf + 2, len - 2);   /* the body again, without the request id (08 07) */
	assert_int_equal(buf[0], 0x08);
	assert_int_equal(envelope_pull_records(twice, 2 * len - 2, 3, spans), HEARTH_ENOTFOUND);
	assert_int_equal(envelope_pull_records(twice, 2 * len - 2, 6, spans), HEARTH_ENOTFOUND);
	{
		Hearth__Envelope *u = NULL;
		assert_int_equal(envelope_unpack(twice, 2 * len - 2, sizeof(twice), NULL, &u), 0);
		assert_int_equal(u->pull_result->n_records, 3);
		envelope_free(u, NULL);
	}

	/* A record field of the wrong wire type, then another body. */
	{
		uint8_t odd[16] = { 0x08, 0x07, 0xba, 0x01, 0x02, 0x08, 0x05 };   /* pull_result { 1: 5 } */
		assert_int_equal(envelope_pull_records(odd, 7, 0, spans), HEARTH_ENOTFOUND);
		odd[4] = 0x00;   /* pull_result {} */
		assert_int_equal(envelope_pull_records(odd, 5, 0, spans), 0);
		odd[5] = 0x6a;   /* then ping {} (13 << 3 | 2) */
		odd[6] = 0x00;
		assert_int_equal(envelope_pull_records(odd, 7, 0, spans), HEARTH_ENOTFOUND);
	}

	/* Not a pull answer at all. */
	{
		Hearth__Ping ping = HEARTH__PING__INIT;
		env.body_case = HEARTH__ENVELOPE__BODY_PING;
		env.ping = &ping;
		len = hearth__envelope__pack(&env, buf);
		assert_int_equal(envelope_pull_records(buf, len, 0, spans), HEARTH_ENOTFOUND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_round_trip),
		cmocka_unit_test(test_welcome_round_trip),
		cmocka_unit_test(test_ping_round_trip),
		cmocka_unit_test(test_error_round_trip),
		cmocka_unit_test(test_garbage_is_eproto),
		cmocka_unit_test(test_field_zero_is_eproto),
		cmocka_unit_test(test_empty_body_is_eproto),
		cmocka_unit_test(test_over_max_is_etoobig),
		cmocka_unit_test(test_countdown_allocator_every_failure_point),
		cmocka_unit_test(test_body_names),
		cmocka_unit_test(test_scan_counts_push_ops_without_unpacking),
		cmocka_unit_test(test_pull_records_finds_each_record),
		cmocka_unit_test(test_strerror_covers_every_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
