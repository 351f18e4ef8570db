/* attachment_limits.h: the server's limits on attachments (issue 18), the
 * ones a record body alone cannot know: the most one file may be, from
 * the configuration (store.attachment_max_size). */
#ifndef HEARTHD_ATTACHMENT_LIMITS_H
#define HEARTHD_ATTACHMENT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "common/kinds.h"
#include "common/record_error.h"
#include "server/db/store.h"

/* Checks the attachments a body of kind k names against s's limits.
 * Returns 0 or HEARTH_EINVAL with err filled (field "attachments"); a
 * body that does not unpack passes (record_validate_body refused it). */
int attachment_limits_check(const store *s, const kind_info *k, const uint8_t *body, size_t len,
                            record_error *err);

#endif
