/* attachment_edit.c: a record body's attachment list, one attachment in or
 * out (see attachment_edit.h). */
#include "client/core/attachment_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"

static const ProtobufCFieldDescriptor *list_field(const ProtobufCMessage *body)
{
	const ProtobufCFieldDescriptor *fd =
		body ? protobuf_c_message_descriptor_get_field(body->descriptor, ATTACHMENT_FIELD) : NULL;

	return fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->descriptor == &hearth__attachment__descriptor
	               ? fd
	               : NULL;
}

int attachment_edit_check(const ProtobufCMessage *body, const char *name, const char *record, char *err,
                          size_t errlen)
{
	size_t n;
	Hearth__Attachment **list = attachment_list(body, &n);

	err[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i]->name, name)) {
			snprintf(err, errlen, _("%s already has an attachment named %s; detach it first or rename the file"),
			         record, name);
			return HEARTH_EINVAL;
		}
	}
	if (n >= ATTACHMENTS_MAX) {
		snprintf(err, errlen, _("%s already has %zu attachments, the most a record holds"), record, n);
		return HEARTH_EINVAL;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int attachment_edit_add(ProtobufCMessage *body, const attachment_add *in)
{
	const ProtobufCFieldDescriptor *fd = list_field(body);
	Hearth__Attachment *a, **grown;
	size_t n;

	if (!fd)
		return HEARTH_EINVAL;
	n = *pbfield_count(body, fd);
	a = malloc(sizeof(*a));
	grown = realloc(*(Hearth__Attachment ***)pbfield_ptr(body, fd), (n + 1) * sizeof(*grown));
	if (grown)
		*(Hearth__Attachment ***)pbfield_ptr(body, fd) = grown;
	if (!a || !grown) {
		free(a);
		return HEARTH_ENOMEM;
	}
	hearth__attachment__init(a);
	grown[n] = a;
	(*pbfield_count(body, fd))++;
	/* From here on a belongs to body: a failure leaves it half filled,
	 * freed with the record. */
	a->name = strdup(in->name);
	a->type = strdup(in->file->type);
	a->added_by = strdup(in->added_by ? in->added_by : "");
	a->note = strdup(in->note ? in->note : "");
	a->size = in->file->size;
	a->added_at = in->added_at ? in->added_at : now_ms();
	a->sha256.data = malloc(32);
	if (!a->name || !a->type || !a->added_by || !a->note || !a->sha256.data)
		return HEARTH_ENOMEM;
	memcpy(a->sha256.data, in->file->sha256, 32);
	a->sha256.len = 32;
	return 0;
}

int attachment_edit_remove(ProtobufCMessage *body, const char *name)
{
	const ProtobufCFieldDescriptor *fd = list_field(body);
	Hearth__Attachment **list;
	size_t n, at;

	if (!fd)
		return HEARTH_ENOTFOUND;
	list = attachment_list(body, &n);
	for (at = 0; at < n && strcmp(list[at]->name, name) != 0; at++)
		;
	if (at == n)
		return HEARTH_ENOTFOUND;
	hearth__attachment__free_unpacked(list[at], NULL);
	memmove(list + at, list + at + 1, (n - at - 1) * sizeof(*list));
	(*pbfield_count(body, fd))--;
	return 0;
}

attachment_where attachment_edit_where(replica *r, const Hearth__Attachment *a)
{
	if (a->sha256.len == 32 && attachments_have(r, a->sha256.data, a->size))
		return ATTACHMENT_HERE;
	if (a->sha256.len == 32 && attachments_uploaded(r, a->sha256.data))
		return ATTACHMENT_ON_SERVER;
	return ATTACHMENT_UPLOADING;
}

const Hearth__Attachment *attachment_edit_on_record(const Hearth__Record *rec, const uint8_t sha256[32])
{
	size_t n;
	Hearth__Attachment **list;

	if (!rec || rec->deleted)
		return NULL;
	list = attachment_list(record_body(rec), &n);
	for (size_t i = 0; i < n; i++) {
		if (list[i]->sha256.len == 32 && memcmp(list[i]->sha256.data, sha256, 32) == 0)
			return list[i];
	}
	return NULL;
}

void attachment_edit_hit(const Hearth__Record *rec, const Hearth__Attachment *a, attachment_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	if (rec->id.len == 16)
		memcpy(hit->record_id, rec->id.data, 16);
	hit->kind = rec->kind;
	snprintf(hit->name, sizeof(hit->name), "%s", a->name);
	snprintf(hit->type, sizeof(hit->type), "%s", a->type);
	if (a->sha256.len == 32)
		memcpy(hit->sha256, a->sha256.data, 32);
	hit->size = a->size;
}
