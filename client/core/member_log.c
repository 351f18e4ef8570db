/* member_log.c: one dated line appended to a record's notes or to a
 * member's talks owed, allocated so the record frees whole. */
#include "client/core/member_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/enums.h"

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

const ProtobufCFieldDescriptor *member_log_notes_field(const kind_info *k)
{
	for (unsigned i = 0; k && i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];

		if (fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->label == PROTOBUF_C_LABEL_REPEATED &&
		    fd->descriptor == &hearth__progress_note__descriptor)
			return fd;
	}
	return NULL;
}

int member_log_add_note(const kind_info *k, ProtobufCMessage *body, const member_log_line *l, char *why,
                        size_t cap)
{
	const ProtobufCFieldDescriptor *nf = member_log_notes_field(k);
	const field_rule *rule;
	Hearth__ProgressNote *note, **grown;
	size_t *count, max;

	if (!nf) {
		snprintf(why, cap, _("%s records have no progress notes"), k->name);
		return HEARTH_EINVAL;
	}
	rule = kind_rule(k, nf->id);
	max = rule && rule->max ? rule->max : RECORD_REPEATED_MAX_DEFAULT;
	count = pbfield_count(body, nf);
	if (*count >= max) {
		snprintf(why, cap, _("%s already has %zu notes, the most a record holds"), l->record ? l->record : k->label, *count);
		return HEARTH_EINVAL;
	}
	/* Allocated as protobuf-c's default allocator would, so the record
	 * frees whole with hearth__record__free_unpacked. */
	grown = realloc(*(Hearth__ProgressNote ***)pbfield_ptr(body, nf), (*count + 1) * sizeof(*grown));
	if (!grown)
		return HEARTH_ENOMEM;
	*(Hearth__ProgressNote ***)pbfield_ptr(body, nf) = grown;
	note = malloc(sizeof(*note));
	if (!note)
		return HEARTH_ENOMEM;
	hearth__progress_note__init(note);
	grown[(*count)++] = note;
	note->date = dup_or_empty(l->date);
	note->note = dup_or_empty(l->note);
	note->by = dup_or_empty(l->by);
	note->channel = dup_or_empty(l->channel);
	if (!note->date || !note->note || !note->by || !note->channel)
		return HEARTH_ENOMEM;
	return 0;
}

int member_log_reason(const char *text, const char *shown, int *reason, char *why, size_t cap)
{
	if (!text || enum_parse(&hearth__talk_trigger__descriptor, text, reason) != 0 ||
	    *reason == HEARTH__TALK_TRIGGER__TALK_TRIGGER_UNSPECIFIED) {
		snprintf(why, cap,
		         _("--reason \"%s\" is not a talk trigger (困难, 矛盾, 失误, 问题, 提拔, 日常, "
		           "思想波动, 组织关系转接, 表彰)"),
		         shown ? shown : text ? text : "");
		return HEARTH_EINVAL;
	}
	return 0;
}

int member_log_add_need(Hearth__Member *mem, const member_log_line *l, char *why, size_t cap)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	const field_rule *rule = kind_rule(k, 21);
	Hearth__TalkNeed *need, **grown;
	int reason;

	if (member_log_reason(l->reason, NULL, &reason, why, cap) != 0)
		return HEARTH_EINVAL;
	if (rule && mem->n_talk_needs >= rule->max) {
		snprintf(why, cap, _("%s already has %zu talks owed, the most a member holds"),
		         l->record ? l->record : mem->name,
		         mem->n_talk_needs);
		return HEARTH_EINVAL;
	}
	grown = realloc(mem->talk_needs, (mem->n_talk_needs + 1) * sizeof(*grown));
	if (!grown)
		return HEARTH_ENOMEM;
	mem->talk_needs = grown;
	need = malloc(sizeof(*need));
	if (!need)
		return HEARTH_ENOMEM;
	hearth__talk_need__init(need);
	grown[mem->n_talk_needs++] = need;
	need->reason = (Hearth__TalkTrigger)reason;
	need->date = dup_or_empty(l->date);
	need->note = dup_or_empty(l->note);
	need->by = dup_or_empty(l->by);
	if (!need->date || !need->note || !need->by)
		return HEARTH_ENOMEM;
	return 0;
}
