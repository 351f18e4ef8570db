/* attachment_limits.h: the server's limits on attachments (issue 18), the
 * ones a record body alone cannot know: the most one file may be, from
 * the configuration (store.attachment_max_size). */
#ifndef HEARTHD_ATTACHMENT_LIMITS_H
#define HEARTHD_ATTACHMENT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "common/record_error.h"
#include "server/db/store.h"

/* Checks the attachments an unpacked body names against s's limits
 * (body borrowed; NULL passes). It takes the message, not its bytes: the
 * pushed op arrives unpacked, and unpacking its body once more per op was
 * a writer cost for nothing. Returns 0 or HEARTH_EINVAL with err filled
 * (field "attachments"). */
int attachment_limits_check(const store *s, const ProtobufCMessage *body, record_error *err);

#endif
