/* envelope.c: bounded packing and unpacking of wire Envelopes with protobuf-c. */
#include "common/envelope.h"

#include <stdlib.h>

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
