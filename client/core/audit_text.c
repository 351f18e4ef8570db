/* audit_text.c: an audit entry in words, and the times and numbers its
 * filters take, for every face that shows the log (the audit commands and
 * the auditor's pages of `hearth ui`). */
#include "client/core/audit_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/core/identity.h"
#include "client/core/member_lookup.h"
#include "client/core/values.h"
#include "common/audit.h"
#include "common/i18n.h"
#include "common/uuid.h"

void audq_hex_of(const ProtobufCBinaryData *b, char *out, size_t cap)
{
	if (b->len * 2 + 1 > cap) {
		snprintf(out, cap, "(%zu bytes)", b->len);
		return;
	}
	audit_hex(b->data, b->len, out);
}

/* A record or conflict id as text: canonical UUID when 16 bytes. */
void audq_id_text(const ProtobufCBinaryData *b, char *out, size_t cap)
{
	if (b->len == UUID_LEN && cap > UUID_TEXT_LEN)
		uuid_format(b->data, out);
	else
		audq_hex_of(b, out, cap);
}

/* Parses an unsigned decimal in [min, max]. */
int audq_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --since/--until: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or with a T, local
 * time unless it ends in Z; or milliseconds since the epoch. A bare date
 * in --until means the end of that day, so "--since D --until D" is day D. */
int audq_parse_when(const char *s, int until, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, utc = 0, date_only;
	size_t len = strlen(s);
	time_t t;

	if (len && strspn(s, "0123456789") == len && len >= 10) {
		*ms = strtoll(s, NULL, 10);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	date_only = s[10] == '\0';
	if (!date_only) {
		int m = 0;
		const char *rest = s + 11;
		if (s[10] != 'T' && s[10] != ' ')
			return -1;
		if (sscanf(rest, "%2d:%2d%n", &h, &mi, &m) != 2)
			return -1;
		rest += m;
		if (*rest == ':') {
			if (sscanf(rest, ":%2d%n", &sec, &m) != 1)
				return -1;
			rest += m;
		}
		if (*rest == 'Z') {
			utc = 1;
			rest++;
		}
		if (*rest)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d + (until && date_only);
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

/* One side of a change for people. Returns a malloc'd string or NULL. */
char *audq_change_side(const kind_info *k, const Hearth__AuditChange *c, const ProtobufCBinaryData *v,
                       struct member_namer *names)
{
	char hex[2 * AUDIT_HASH_LEN + 1], buf[256];

	if (v->len == 0 && c->digested)
		return strdup(_("(empty)"));
	if (c->digested) {
		if (v->len != AUDIT_HASH_LEN)
			return strdup(_("(sensitive: digest of unexpected length)"));
		audit_hex(v->data, 4, hex);
		snprintf(buf, sizeof(buf), _("(sensitive: sha256 %s\xe2\x80\xa6)"), hex);
		return strdup(buf);
	}
	return value_field_format(k, c->field, v->data, v->len,
	                          &(value_text_opts){ .view = VALUE_REVEALED, .style = VALUE_STYLE_PEOPLE,
	                                              .names = names });
}

const char *audq_change_label(const kind_info *k, const Hearth__AuditChange *c)
{
	const field_rule *rule = k ? kind_rule(k, c->field) : NULL;
	return rule && rule->label ? rule->label : "";
}

const char *audq_change_name(const Hearth__AuditChange *c, char *buf, size_t cap)
{
	if (c->name && c->name[0])
		return c->name;
	snprintf(buf, cap, "field%u", c->field);
	return buf;
}

size_t audq_changes(const Hearth__AuditEntry *e, Hearth__AuditChange *const **changes)
{
	if (e->revision_digest.len) {
		*changes = e->revision_changes;
		return e->n_revision_changes;
	}
	*changes = e->changes;
	return e->n_changes;
}

const char *audq_revision_problem(const Hearth__AuditEntry *e)
{
	if (!e->revision_digest.len)
		return NULL;
	switch (e->revision_check) {
	case HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES:
		return NULL;
	case HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_DAMAGED:
		return _("the record revision it names does not match the digest in the entry (the server's "
		         "store was altered or damaged)");
	case HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MISSING:
		return _("the record revision it names is missing from the server's store");
	default:
		return _("the server did not check the record revision it names (the server may be older "
		         "than this client)");
	}
}

const char *audq_change_title(const kind_info *k, const Hearth__AuditChange *c, char *buf, size_t cap)
{
	const char *label = audq_change_label(k, c);
	return label[0] ? label : audq_change_name(c, buf, cap);
}

/* "姓名: 王 → 李; 联系电话: (sensitive…) → (sensitive…)" or the detail. */
char *audq_summary(const Hearth__AuditEntry *e, struct member_namer *names)
{
	const kind_info *k = kind_find(e->kind);
	Hearth__AuditChange *const *chs;
	size_t nch = audq_changes(e, &chs);
	char *out = NULL, nb[32];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	if (e->detail && e->detail[0])
		fputs(e->detail, f);
	for (size_t i = 0; i < nch; i++) {
		const Hearth__AuditChange *c = chs[i];
		char *o = audq_change_side(k, c, &c->old_value, names);
		char *n = audq_change_side(k, c, &c->new_value, names);
		fprintf(f, "%s%s: %s \xe2\x86\x92 %s", (i || (e->detail && e->detail[0])) ? "; " : "",
		        audq_change_title(k, c, nb, sizeof(nb)), o ? o : "?", n ? n : "?");
		free(o);
		free(n);
	}
	fclose(f);
	return out;
}

void audq_who(const Hearth__AuditEntry *e, char *out, size_t cap)
{
	if (e->actor_name && e->actor_name[0])
		snprintf(out, cap, "%s", e->actor_name);
	else if (e->actor_fingerprint && e->actor_fingerprint[0])
		snprintf(out, cap, "%.16s\xe2\x80\xa6", e->actor_fingerprint);
	else
		snprintf(out, cap, "-");
}

void audq_role_branch(const Hearth__AuditEntry *e, char *out, size_t cap)
{
	if (e->actor_role == HEARTH__ROLE__ROLE_BRANCH)
		snprintf(out, cap, "branch %s", e->actor_branch ? e->actor_branch : "?");
	else
		snprintf(out, cap, "%s", identity_role_word(e->actor_role));
}


void audq_record_text(const Hearth__AuditEntry *e, struct member_namer *names, char *out, size_t cap)
{
	char idt[UUID_TEXT_LEN + 1];

	if (cap == 0)
		return;
	out[0] = '\0';
	if (e->record_id.len != UUID_LEN)
		return;
	if (names && member_namer_text(names, e->record_id.data, out, cap))
		return;
	uuid_format(e->record_id.data, idt);
	snprintf(out, cap, "\xe2\x80\xa6%s", idt + UUID_TEXT_LEN - 12);   /* …3f9e2d01a2c4 */
}
