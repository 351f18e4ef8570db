/* pull.h: one page of a Pull, read from the change feeds. */
#ifndef HEARTHD_PULL_H
#define HEARTHD_PULL_H

#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"
#include "server/db/store.h"

/* Builds a PullResponse body (fields of the message, no envelope) into out
 * (the caller's; it frees it): records and conflicts with seq > cursor in
 * scope (all, or the merge of its branches' feeds by seq: O(changes in
 * the scope) plus one seek per branch), oldest first, with sc->tag when
 * set, at most limit entries or about
 * max_bytes of them, in its own read transaction. *n_out gets the number
 * of entries. fresh (may be NULL) is per-connection state that tells a pull
 * from zero (page two of it included) from a stale replica: see
 * retention.h. Returns 0 or a negative HEARTH_E* code. */
int pull_page(store *s, const store_scope *sc, uint64_t cursor, uint32_t limit, size_t max_bytes,
              wirebuf *out, uint32_t *n_out, uint64_t *fresh);

#endif
