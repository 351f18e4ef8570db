/* uuid.h: 16-byte UUIDv7 identifiers (time-ordered, so LMDB keys made from
 * them land at the end of the tree) and their canonical text form. */
#ifndef HEARTH_UUID_H
#define HEARTH_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_LEN 16
#define UUID_TEXT_LEN 36   /* 8-4-4-4-12 hex digits and dashes, no NUL */

/* Fills id with a new UUIDv7: 48-bit Unix milliseconds, version 7, variant
 * 10, random bits from the OS (RAND_bytes). Monotonic within a process: two
 * ids made in the same millisecond still sort in creation order.
 * Returns 0 or HEARTH_EIO when no randomness could be had. */
int uuid_v7(uint8_t id[UUID_LEN]);

/* Writes the canonical lower-case text form and a NUL into out. */
void uuid_format(const uint8_t id[UUID_LEN], char out[UUID_TEXT_LEN + 1]);

/* Parses canonical text (either case). Returns 0 or HEARTH_EINVAL. */
int uuid_parse(const char *text, uint8_t id[UUID_LEN]);

/* Parses an id given on a command line: full text, or a unique prefix is
 * resolved by the caller; this only accepts the full form. Same as uuid_parse. */

#endif
