/* merge.h: the three-way, field-level merge at the heart of sync
 * (DESIGN section 5), on encoded bodies so it serves every record kind.
 *
 * For each field f the op says it changed:
 *   cur[f] == base[f]  -> the op's value is taken          (applied)
 *   cur[f] == mine[f]  -> nothing to do, same value          (same)
 *   otherwise          -> the server keeps cur[f]            (conflict)
 * A record's attachments (common/attachment.h, ATTACHMENT_FIELD) merge as a
 * set instead: the server's entries, less those the op removed since base,
 * plus those it added; they never conflict.
 * Fields the op did not change keep the server's current value.  The result
 * does not depend on any clock: the first writer to reach the server wins. */
#ifndef HEARTH_MERGE_H
#define HEARTH_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/fieldmap.h"

typedef struct merge_conflict {
	uint32_t field;
	uint8_t *server_value;   /* encoded bytes of cur[f]; NULL/0 when absent */
	size_t server_len;
	uint8_t *op_value;       /* encoded bytes of mine[f]; NULL/0 when absent */
	size_t op_len;
} merge_conflict;

typedef struct merge_result {
	uint8_t *body;           /* merged body, malloc'd; body_len may be 0 */
	size_t body_len;
	uint32_t *applied;       /* fields whose value the op changed, ascending */
	size_t n_applied;
	merge_conflict *conflicts;   /* ascending by field */
	size_t n_conflicts;
} merge_result;

/* Merges. base, cur and mine are encoded bodies (base may be the same bytes
 * as cur when the op's base revision is current; base NULL/0 for a create,
 * meaning "all fields absent"). changed lists field numbers (any order,
 * duplicates ignored; at most FIELDMAP_MAX_FIELDS).  Returns 0 and fills
 * *out, HEARTH_EINVAL when a body is malformed or changed is too long,
 * HEARTH_ENOMEM. On error *out is empty. Free with merge_result_free. */
int merge_three_way(const uint8_t *base, size_t base_len, const uint8_t *cur, size_t cur_len,
                    const uint8_t *mine, size_t mine_len, const uint32_t *changed,
                    size_t n_changed, merge_result *out);

void merge_result_free(merge_result *r);

/* Lists fields whose bytes differ between two bodies (ascending), for
 * history ("which fields changed in this revision"). *out malloc'd. */
int merge_diff(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint32_t **out,
               size_t *n_out);

#endif
