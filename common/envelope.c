/* envelope.c: bounded packing and unpacking of wire Envelopes with protobuf-c. */
#include "common/envelope.h"

#include <stdlib.h>
#include <string.h>

#include "common/frame.h"
#include "common/hearth.h"

/* protobuf-c reports every unpack failure the same way (a NULL result), so
 * to tell "out of memory" from "bad bytes" we interpose this allocator: it
 * forwards to the caller's allocator (or malloc/free) and remembers whether
 * any allocation failed.  protobuf-c stops at the first failed allocation,
 * so a set flag means the NULL result was caused by memory, not by input.
 * The forwarding free() lets the caller later release the message with its
 * own allocator, exactly as envelope.h promises. */
struct alloc_probe {
	ProtobufCAllocator *inner;   /* NULL: malloc/free */
	int failed;
};

static void *probe_alloc(void *data, size_t size)
{
	struct alloc_probe *p = data;
	void *ptr;

	if (p->inner != NULL)
		ptr = p->inner->alloc(p->inner->allocator_data, size);
	else
		ptr = malloc(size);
	if (ptr == NULL)
		p->failed = 1;
	return ptr;
}

static void probe_free(void *data, void *ptr)
{
	struct alloc_probe *p = data;

	if (p->inner != NULL)
		p->inner->free(p->inner->allocator_data, ptr);
	else
		free(ptr);
}

/* protobuf-c 1.4.1 rejects field number 0 only when the tag is one byte
 * long: a padded tag such as 0x82 0x00 unpacks as an unknown field with
 * number 0, which packs back as 0x02 and is then refused.  Field 0 is
 * invalid protobuf, so any message in the tree carrying it is a protocol
 * error; otherwise we would accept a message we cannot re-encode (found by
 * fuzz_envelope).  The schema has no recursive messages, so the walk is as
 * deep as the schema, not as the input. */
static int has_field_zero(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *desc = m->descriptor;
	const char *base = (const char *)m;

	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		if (m->unknown_fields[i].tag == 0)
			return 1;
	}
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			ProtobufCMessage *const *sub = *(ProtobufCMessage *const *const *)(base + f->offset);

			for (size_t j = 0; j < n; j++) {
				if (has_field_zero(sub[j]))
					return 1;
			}
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		{
			const ProtobufCMessage *sub = *(ProtobufCMessage *const *)(base + f->offset);

			if (sub != NULL && has_field_zero(sub))
				return 1;
		}
	}
	return 0;
}

/* The length is bounded before protobuf-c sees the bytes, because its
 * allocations grow with the input.  An Envelope with no body is refused
 * here so that every caller can switch on body_case without a NOT_SET
 * branch, and one with field number 0 anywhere because protobuf-c lets it
 * through (see has_field_zero).  protobuf-c has already freed everything on
 * its own failures. */
int envelope_unpack(const uint8_t *buf, size_t len, size_t max,
                    ProtobufCAllocator *alloc, Hearth__Envelope **out)
{
	struct alloc_probe probe = { alloc, 0 };
	ProtobufCAllocator wrapped = { probe_alloc, probe_free, &probe };
	Hearth__Envelope *env = NULL;
	int err;

	*out = NULL;
	if (len > max) {
		err = HEARTH_ETOOBIG;
		goto fail;
	}
	env = hearth__envelope__unpack(&wrapped, len, buf);
	if (env == NULL) {
		err = probe.failed ? HEARTH_ENOMEM : HEARTH_EPROTO;
		goto fail;
	}
	if (env->body_case == HEARTH__ENVELOPE__BODY__NOT_SET ||
	    has_field_zero(&env->base)) {
		err = HEARTH_EPROTO;
		goto fail;
	}
	*out = env;
	return 0;

fail:
	if (env != NULL)
		hearth__envelope__free_unpacked(env, &wrapped);
	return err;
}

/* One varint at *pos (at most 10 bytes, inside len). */
static int scan_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		uint8_t b;

		if (*pos >= len)
			return HEARTH_EPROTO;
		b = buf[(*pos)++];
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return HEARTH_EPROTO;
}

/* Reads one field's tag at *pos and skips its value, leaving *pos after
 * it.  A length-delimited value is given back as [*val, *val + *val_len). */
static int scan_field(const uint8_t *buf, size_t len, size_t *pos, uint32_t *number, uint32_t *wt,
                      const uint8_t **val, size_t *val_len)
{
	uint64_t tag, n;

	if (scan_varint(buf, len, pos, &tag) != 0 || (tag >> 3) == 0 || (tag >> 3) > 536870911u)
		return HEARTH_EPROTO;
	*number = (uint32_t)(tag >> 3);
	*wt = (uint32_t)(tag & 7);
	*val = NULL;
	*val_len = 0;
	switch (*wt) {
	case 0:
		return scan_varint(buf, len, pos, &n);
	case 1:
		n = 8;
		break;
	case 5:
		n = 4;
		break;
	case 2:
		if (scan_varint(buf, len, pos, &n) != 0)
			return HEARTH_EPROTO;
		*val = buf + *pos;
		*val_len = (size_t)n;
		break;
	default:
		return HEARTH_EPROTO; /* groups are not in our schema */
	}
	if (n > len - *pos)
		return HEARTH_EPROTO;
	*pos += (size_t)n;
	return 0;
}

int envelope_scan(const uint8_t *buf, size_t len, envelope_scan_result *out)
{
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		uint32_t number, wt;
		const uint8_t *val;
		size_t vlen, start = pos;

		if (scan_field(buf, len, &pos, &number, &wt, &val, &vlen) != 0)
			return HEARTH_EPROTO;
		if (number == 1) {
			uint64_t tag;

			/* Read again the varint scan_field skipped: the request id. */
			if (wt == 0 && scan_varint(buf, len, &start, &tag) == 0)
				(void)scan_varint(buf, len, &start, &out->request_id);
			continue;
		}
		out->body = number;
		if ((number == HEARTH__ENVELOPE__BODY_PUSH || number == HEARTH__ENVELOPE__BODY_RECOVER) && wt == 2) {
			size_t ip = 0;

			while (ip < vlen) {
				uint32_t inum, iwt;
				const uint8_t *ival;
				size_t ivlen;

				if (scan_field(val, vlen, &ip, &inum, &iwt, &ival, &ivlen) != 0)
					return HEARTH_EPROTO;
				if (number == HEARTH__ENVELOPE__BODY_PUSH && inum == 1 && iwt == 2)
					out->push_ops++;
				else if (number == HEARTH__ENVELOPE__BODY_RECOVER && (inum == 1 || inum == 2) && iwt == 2)
					out->recover_items++;
			}
		}
	}
	return 0;
}

int envelope_pull_records(const uint8_t *buf, size_t len, size_t n, envelope_bytes *spans)
{
	const uint8_t *body = NULL;
	size_t pos = 0, body_len = 0, ip = 0, found = 0;

	while (pos < len) {
		uint32_t number, wt;
		const uint8_t *val;
		size_t vlen;

		if (scan_field(buf, len, &pos, &number, &wt, &val, &vlen) != 0)
			return HEARTH_EPROTO;
		if (number == 1 && wt == 0)
			continue;
		if (number != HEARTH__ENVELOPE__BODY_PULL_RESULT || wt != 2 || body)
			return HEARTH_ENOTFOUND;
		body = val;
		body_len = vlen;
	}
	if (!body)
		return HEARTH_ENOTFOUND;
	while (ip < body_len) {
		uint32_t number, wt;
		const uint8_t *val;
		size_t vlen;

		if (scan_field(body, body_len, &ip, &number, &wt, &val, &vlen) != 0)
			return HEARTH_EPROTO;
		if (number != 1)
			continue;
		if (wt != 2 || found == n)
			return HEARTH_ENOTFOUND;
		spans[found].data = val;
		spans[found].len = vlen;
		found++;
	}
	return found == n ? 0 : HEARTH_ENOTFOUND;
}

void envelope_free(Hearth__Envelope *env, ProtobufCAllocator *alloc)
{
	if (env != NULL)
		hearth__envelope__free_unpacked(env, alloc);
}

/* The payload size is known before packing, so the limit is checked before
 * the buffer is allocated and the frame is written in one piece (header and
 * payload together) for a single write on the socket.  An Envelope without
 * a body is refused with HEARTH_EINVAL: it would pack to a zero-length
 * frame, which the peer's decoder rejects as a protocol error. */
int envelope_pack_frame(const Hearth__Envelope *env, size_t max,
                        uint8_t **out, size_t *out_len)
{
	uint8_t *buf = NULL;
	size_t n;
	int err;

	*out = NULL;
	*out_len = 0;
	if (env->body_case == HEARTH__ENVELOPE__BODY__NOT_SET) {
		err = HEARTH_EINVAL;
		goto fail;
	}
	n = hearth__envelope__get_packed_size(env);
	if (n > max || n > UINT32_MAX - FRAME_HEADER_LEN) {
		err = HEARTH_ETOOBIG;
		goto fail;
	}
	buf = malloc(FRAME_HEADER_LEN + n);
	if (buf == NULL) {
		err = HEARTH_ENOMEM;
		goto fail;
	}
	frame_header(buf, (uint32_t)n);
	if (hearth__envelope__pack(env, buf + FRAME_HEADER_LEN) != n) {
		/* get_packed_size and pack disagreeing is a protobuf-c bug or a
		 * message mutated between the two calls. */
		err = HEARTH_EINVAL;
		goto fail;
	}
	*out = buf;
	*out_len = FRAME_HEADER_LEN + n;
	return 0;

fail:
	free(buf);
	return err;
}

/* The body's name is its field name in the schema, so a new message needs
 * no change here. */
const char *envelope_body_name(const Hearth__Envelope *env)
{
	const ProtobufCFieldDescriptor *f;

	if (env == NULL || env->body_case == HEARTH__ENVELOPE__BODY__NOT_SET)
		return "unknown";
	f = protobuf_c_message_descriptor_get_field(&hearth__envelope__descriptor, (unsigned)env->body_case);
	return f ? f->name : "unknown";
}

/* Responses are built on the stack; this keeps the Error wiring (init,
 * body case, the oneof pointer) in one place.  NULL strings become empty
 * strings because protobuf-c's packer dereferences every string field. */
void envelope_set_error(Hearth__Envelope *env, Hearth__Error *err, uint64_t request_id,
                        Hearth__ErrorCode code, const char *message, const char *field)
{
	hearth__envelope__init(env);
	hearth__error__init(err);
	err->code = code;
	err->message = (char *)(message != NULL ? message : "");
	err->field = (char *)(field != NULL ? field : "");
	env->request_id = request_id;
	env->body_case = HEARTH__ENVELOPE__BODY_ERROR;
	env->error = err;
}
