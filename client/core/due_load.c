/* due_load.c: what `hearth due` and the pages need from this machine to
 * compute the due list (due_load.h): thresholds, today, the snapshot. */
#include "client/core/due_load.h"

#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"

struct cfg_parse {
	due_config *c;
	char *err;
	size_t cap;
	int bad;
};

static int on_due_value(void *user, const char *section, const char *name, const char *value)
{
	size_t n;
	const due_config_key *keys = due_config_keys(&n);
	struct cfg_parse *p = user;

	if (strcmp(section, "due") != 0 || p->bad)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char *end;
		long v;

		if (strcmp(name, keys[i].name) != 0)
			continue;
		v = strtol(value, &end, 10);
		if (!*value || *end || v < 1 || v > keys[i].max) {
			snprintf(p->err, p->cap, _("profile.ini [due] %s = \"%s\": give a whole number from 1 to %d"),
			         name, value, (int)keys[i].max);
			p->bad = 1;
			return 1;
		}
		*(int32_t *)((char *)p->c + keys[i].offset) = (int32_t)v;
		return 1;
	}
	snprintf(p->err, p->cap,
	         _("profile.ini [due] has an unknown key \"%s\" (known: visit_gap_days, talk_window_days, "
	         "talk_lookback_days, note_gap_days, dues_months, contact_gap_days)"), name);
	p->bad = 1;
	return 1;
}

int due_config_load(due_config *c, const char *home, char *err, size_t cap)
{
	char path[1100];
	struct cfg_parse p = { c, err, cap, 0 };

	due_config_defaults(c);
	snprintf(path, sizeof(path), "%s/profile.ini", home);
	if (access(path, F_OK) != 0)
		return 0;
	if (ini_parse(path, on_due_value, &p) < 0)
		return 0;
	return p.bad ? HEARTH_EINVAL : 0;
}

int due_today(int32_t *today, char *err, size_t cap)
{
	const char *s = getenv("HEARTH_TODAY");

	if (!s || !*s) {
		*today = date_today();
		return 0;
	}
	if (date_parse(s, today) != 0) {
		snprintf(err, cap, _("HEARTH_TODAY \"%s\" is not a date that exists (YYYY-MM-DD)"), s);
		return HEARTH_EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------- snapshot */

struct load_ctx {
	due_snapshot *s;
	const char *branch;
	int rc;
};

/* Keeps rec (the replica hands it over, unpacked in the snapshot's arena:
 * no copy, and one release for all) in its kind's array. */
static int load_one(void *arg, Hearth__Record *rec)
{
	struct load_ctx *l = arg;

	l->rc = due_snapshot_keep(l->s, rec, l->branch);
	return l->rc != 0;
}

int due_snapshot_load(replica *r, const char *branch, due_snapshot *s)
{
	struct load_ctx l = { s, branch, 0 };
	int rc;

	due_snapshot_init(s);
	rc = replica_each_take_in(r, 0, &s->arena, load_one, &l);
	if (rc == 0)
		rc = l.rc;
	if (rc != 0)
		due_snapshot_free(s);
	return rc;
}

