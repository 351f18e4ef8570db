/* read_only.c: the records a replica may not change, and the sentence
 * that tells the person so before anything is queued. */
#include "client/core/read_only.h"

#include <stdio.h>

#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

enum read_only_result read_only_check(const Hearth__Record *rec, char *why, size_t cap)
{
	const Hearth__TransferSummary *sum;
	const Hearth__Transfer *t;
	char id[UUID_TEXT_LEN + 1] = "?";

	if (!rec || !(sum = record_transfer_summary(kind_find(rec->kind), record_body(rec))))
		return READ_ONLY_NO;
	t = rec->transfer;
	if (rec->id.len == UUID_LEN)
		uuid_format(rec->id.data, id);
	snprintf(why, cap,
	         _("%s is the read-only summary this branch keeps of a transfer (%s left for %s on %s); "
	           "it cannot be edited, deleted or restored"),
	         id, sum->member_name[0] ? sum->member_name : "?",
	         sum->to_branch_name[0] ? sum->to_branch_name : t->to_branch, t->accepted_date);
	return READ_ONLY_SUMMARY;
}
