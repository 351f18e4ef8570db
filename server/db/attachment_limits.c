/* attachment_limits.c: the configured limits on attachments, checked when
 * an op's body names them (see attachment_limits.h). */
#include "server/db/attachment_limits.h"

#include "common/attachment.h"
#include "common/hearth.h"

int attachment_limits_check(const store *s, const ProtobufCMessage *body, record_error *err)
{
	Hearth__Attachment **list;
	size_t n;
	int rc = 0;

	if (s->attachment_max_size == 0 || body == NULL)
		return 0;
	list = attachment_list(body, &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (list[i]->size > s->attachment_max_size)
			rc = record_refuse(err, "attachments",
			                   "attachments[%zu]: %s is %llu KB, above this server's limit of %llu KB for one attachment",
			                   i + 1, record_echo(list[i]->name, 0),
			                   (unsigned long long)((list[i]->size + 1023) / 1024),
			                   (unsigned long long)(s->attachment_max_size / 1024));
	}
	return rc;
}
