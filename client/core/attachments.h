/* attachments.h: a replica's attachments (issue 18): the content it holds
 * under replica/content/<sha256 hex>, taking a file in (hashed, its type
 * told by its bytes) and giving one out (hash checked again), and finding
 * an attachment among the records by its hash or its name
 * (attachments.c). The metadata itself is field 50 of a record body
 * (common/attachment.h) and is edited like any field. */
#ifndef HEARTH_CORE_ATTACHMENTS_H
#define HEARTH_CORE_ATTACHMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "common/attachment.h"

/* A file taken in by attachments_keep. type is static. */
typedef struct attachment_file {
	uint8_t sha256[32];
	uint64_t size;
	const char *type;
} attachment_file;

/* Hashes the file at path, tells its type from its bytes (name gives the
 * extension the legacy office formats need), refuses an empty file, an
 * unknown type or one above max_size bytes, and keeps a copy in the
 * replica's content store (written to a temporary file, synced, then
 * renamed: a crash leaves the old state or the whole copy). Returns 0,
 * HEARTH_EINVAL (the file is refused: err says why, in the user's
 * language), HEARTH_ETOOBIG (over max_size: err says so) or HEARTH_EIO
 * (err names the file and the system's reason). */
int attachments_keep(replica *r, const char *path, const char *name, uint64_t max_size,
                     attachment_file *out, char *err, size_t errlen);

/* attachments_keep for content in memory (an upload of the web app):
 * data holds len bytes; seen is how many the sender sent (more than len
 * when the caller stopped storing at the cap, 0 meaning len). name both
 * names the file in a refusal and gives the sniffer its extension. The
 * same refusals, in the same words. */
int attachments_keep_data(replica *r, const void *data, size_t len, uint64_t seen, const char *name,
                          uint64_t max_size, attachment_file *out, char *err, size_t errlen);

/* Whether the content store holds the whole content of hash (its file
 * exists with the expected size). */
int attachments_have(replica *r, const uint8_t hash[32], uint64_t size);

/* Copies the content of hash to the file to (a temporary file beside it,
 * renamed when the copy's SHA-256 matched). Returns 0, HEARTH_ENOTFOUND
 * (not in the store), HEARTH_ECORRUPT (the stored copy does not match its
 * hash: nothing is written) or HEARTH_EIO (err says why). */
int attachments_copy_out(replica *r, const uint8_t hash[32], const char *to, char *err, size_t errlen);

/* Reads the content of hash into *data (malloc'd, the caller frees;
 * *len bytes), checked against its SHA-256, with *type the content type
 * its bytes show (attachment_sniff; name only tells the legacy office
 * formats apart, as when it was attached; NULL for content of no known type).
 * Returns 0, HEARTH_ENOTFOUND (not in the store), HEARTH_ETOOBIG (over max
 * bytes), HEARTH_ECORRUPT (the stored copy does not match its hash),
 * HEARTH_ENOMEM or HEARTH_EIO. */
int attachments_read(replica *r, const uint8_t hash[32], const char *name, uint64_t max, char **data,
                     size_t *len, const char **type);

/* The file of hash in the content store, with suffix (NULL: the content
 * itself) into out. Creates the store's directory. Returns 0, HEARTH_EINVAL
 * (does not fit in cap) or HEARTH_EIO. */
int attachments_path(replica *r, const uint8_t hash[32], const char *suffix, char *out, size_t cap);

/* The marker that says the server holds the whole content of a hash (its
 * upload finished, or the server said so at a sync), and the suffix of a
 * download in progress (whole chunks only). */
#define ATTACHMENTS_UPLOADED_SUFFIX ".up"
#define ATTACHMENTS_PART_SUFFIX ".part"

/* Leaves the marker for hash. Returns 0, HEARTH_EINVAL or HEARTH_EIO. */
int attachments_mark_uploaded(replica *r, const uint8_t hash[32]);

/* Whether the marker for hash is there. */
int attachments_uploaded(replica *r, const uint8_t hash[32]);

/* Removes every marker: after the server was restored from a backup, what
 * it held whole may be gone, so each file is asked about (and uploaded
 * from where the server's chunks end) again. Returns 0 or HEARTH_EIO. */
int attachments_forget_uploaded(replica *r);

/* One attachment found on a record of the local view. */
typedef struct attachment_hit {
	uint8_t record_id[16];
	Hearth__Kind kind;
	char name[4 * ATTACHMENT_NAME_MAX + 1];
	char type[128];
	uint8_t sha256[32];
	uint64_t size;
} attachment_hit;

/* Finds what: 8 to 64 hex digits that start one attachment's SHA-256, or
 * an attachment's exact name, among the records of the local view
 * (deleted ones left out). Several records holding the same content count
 * as one. Returns 0, HEARTH_ENOTFOUND or HEARTH_EINVAL (several different
 * contents match: err says how many), err in the user's language. */
int attachments_find(replica *r, const char *what, attachment_hit *hit, char *err, size_t errlen);

#endif
