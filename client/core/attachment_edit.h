/* attachment_edit.h: adding an attachment to a record body's list and
 * taking one off it (attachment_edit.c), the one copy `hearth KIND
 * attach|detach` and the web app's 上传附件/删除附件 share. The body is then
 * saved as an ordinary local edit by the caller. */
#ifndef HEARTH_CORE_ATTACHMENT_EDIT_H
#define HEARTH_CORE_ATTACHMENT_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/attachments.h"
#include "common/attachment.h"

/* The most one file may be, before the server says otherwise. */
#define ATTACHMENTS_SIZE_MAX_DEFAULT (20ull * 1024 * 1024)

/* Whether body may take one more attachment named name: it must not hold
 * that name already, nor ATTACHMENTS_MAX attachments. record names the
 * record (its id as text) in the refusal. Returns 0 or HEARTH_EINVAL with
 * err filled in the user's language. Call it before attachments_keep, so
 * a refused file is not copied in. */
int attachment_edit_check(const ProtobufCMessage *body, const char *name, const char *record, char *err,
                          size_t errlen);

/* What attachment_edit_add puts on the record. Strings are copied. */
typedef struct attachment_add {
	const char *name;           /* plain file name */
	const attachment_file *file;    /* from attachments_keep */
	const char *added_by;       /* certificate CN, "" when unknown */
	const char *note;           /* NULL: none */
	int64_t added_at;           /* ms since the epoch; 0: now */
} attachment_add;

/* Appends the attachment to body's list (allocated as protobuf-c's
 * default allocator would, so the record frees whole with
 * hearth__record__free_unpacked). Returns 0, HEARTH_EINVAL (the body has
 * no attachment list) or HEARTH_ENOMEM. */
int attachment_edit_add(ProtobufCMessage *body, const attachment_add *a);

/* Removes the attachment named name from body's list. Returns 0 or
 * HEARTH_ENOTFOUND (no attachment of that name). */
int attachment_edit_remove(ProtobufCMessage *body, const char *name);

/* Where an attachment's content is, as a listing says it. */
typedef enum attachment_where {
	ATTACHMENT_HERE = 0,        /* in this replica's content store, whole */
	ATTACHMENT_ON_SERVER,       /* not here; the server holds it whole (to download) */
	ATTACHMENT_UPLOADING,       /* not here, and the server does not hold it whole yet (上传中) */
} attachment_where;

attachment_where attachment_edit_where(replica *r, const Hearth__Attachment *a);

/* Finds the attachment of sha256 on rec (deleted records have none to
 * give). Returns it (borrowed from rec) or NULL. */
const Hearth__Attachment *attachment_edit_on_record(const Hearth__Record *rec, const uint8_t sha256[32]);

/* The attachment of rec as attachments_find would give it. */
void attachment_edit_hit(const Hearth__Record *rec, const Hearth__Attachment *a, attachment_hit *hit);

#endif
