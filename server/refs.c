/* refs.c: store-level record rules (references, uniqueness, consequences).
 * Only the member kind exists so far and it has none; the other kinds add
 * theirs here. */
#include "refs.h"

#include "hearth.h"

int refs_open(store *s, MDB_txn *txn)
{
	(void)s;
	(void)txn;
	return 0;
}

int refs_check(store *s, MDB_txn *txn, const kind_info *k, const uint8_t id[16], const char *branch,
               const uint8_t *body, size_t body_len, int deleted, record_error *err)
{
	(void)s, (void)txn, (void)k, (void)id, (void)branch, (void)body, (void)body_len, (void)deleted,
		(void)err;
	return 0;
}

int refs_after_write(store *s, MDB_txn *txn, const actor *who, const kind_info *k,
                     const uint8_t id[16], const char *branch, const uint8_t *old_body,
                     size_t old_len, const uint8_t *body, size_t body_len, int deleted,
                     int64_t now)
{
	(void)s, (void)txn, (void)who, (void)k, (void)id, (void)branch, (void)old_body, (void)old_len,
		(void)body, (void)body_len, (void)deleted, (void)now;
	return 0;
}
