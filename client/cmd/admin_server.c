/* admin_server.c: `hearth admin server`, the server's version, uptime,
 * connections, store and audit head. */
#include "client/cmd/admin_server.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cmd/admin.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "common/i18n.h"

/* ------------------------------------------------ server status */

static void human_bytes(uint64_t b, char *out, size_t cap)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024 && u + 1 < HEARTH_ARRAY_LEN(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%llu B", (unsigned long long)b);
	else
		snprintf(out, cap, "%.1f %s", v, units[u]);
}

static void human_duration(int64_t ms, char *out, size_t cap)
{
	int64_t s = ms / 1000;
	if (s >= 86400)
		snprintf(out, cap, "%lldd %lldh %lldm", (long long)(s / 86400), (long long)(s % 86400 / 3600),
		         (long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(out, cap, "%lldh %lldm %llds", (long long)(s / 3600), (long long)(s % 3600 / 60),
		         (long long)(s % 60));
	else if (s >= 60)
		snprintf(out, cap, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(out, cap, "%lld.%03llds", (long long)s, (long long)(ms % 1000));
}

int admin_server(cli *c, int argc, char **argv)
{
	session s;
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__ServerStatusRequest sr = HEARTH__SERVER_STATUS_REQUEST__INIT;
	const Hearth__ServerStatus *st;
	char hash[65] = "", t1[64], t2[64], b1[32], b2[32];
	double used;
	int json, rc;

	if (admin_begin_listing(c, argc, argv, "server",
	                        _("usage: hearth admin server [--json]\n\n"
	                        "Shows the server's version, start time and uptime, open connections, the\n"
	                        "store's size against its LMDB map (how full it is), records, commits and\n"
	                        "the last one, and the audit log's head (size and hash). Admin and\n"
	                        "auditor certificates.\n"),
	                        &s, &json, &rc) != ADMIN_BEGIN_CONNECTED)
		return rc;
	req.body_case = HEARTH__ENVELOPE__BODY_SERVER_STATUS_REQUEST;
	req.server_status_request = &sr;
	rc = admin_call(&s, "server", &req, HEARTH__ENVELOPE__BODY_SERVER_STATUS, &resp);
	session_close(&s);
	if (rc != EXIT_OK)
		return rc;
	st = resp->server_status;
	if (st->audit_head)
		for (size_t i = 0; i < st->audit_head->head_hash.len && i < 32; i++)
			snprintf(hash + 2 * i, 3, "%02x", st->audit_head->head_hash.data[i]);
	used = st->map_bytes ? (double)st->store_bytes * 100.0 / (double)st->map_bytes : 0;
	if (json) {
		out_json j;
		out_json_init(&j, stdout);
		out_json_begin_object(&j);
		out_json_key(&j, "version");
		out_json_string(&j, st->version);
		out_json_key(&j, "started_at");
		out_json_int(&j, st->started_at);
		out_json_key(&j, "uptime_ms");
		out_json_int(&j, st->uptime_ms);
		out_json_key(&j, "connections");
		out_json_uint(&j, st->connections);
		out_json_key(&j, "store_bytes");
		out_json_uint(&j, st->store_bytes);
		out_json_key(&j, "map_bytes");
		out_json_uint(&j, st->map_bytes);
		out_json_key(&j, "map_used_percent");
		out_json_double(&j, (double)(int64_t)(used * 10 + 0.5) / 10);
		out_json_key(&j, "records");
		out_json_uint(&j, st->records);
		out_json_key(&j, "commits");
		out_json_uint(&j, st->commits);
		out_json_key(&j, "ops");
		out_json_uint(&j, st->ops);
		out_json_key(&j, "last_commit_at");
		out_json_int(&j, st->last_commit_at);
		out_json_key(&j, "audit_size");
		out_json_uint(&j, st->audit_head ? st->audit_head->size : 0);
		out_json_key(&j, "audit_head");
		out_json_string(&j, hash);
		out_json_key(&j, "data_dir");
		out_json_string(&j, st->data_dir);
		out_json_key(&j, "group_commit");
		out_json_bool(&j, st->group_commit);
		out_json_end_object(&j);
		putchar('\n');
	} else {
		out_local_time(st->started_at, "-", t1, sizeof(t1));
		human_duration(st->uptime_ms, t2, sizeof(t2));
		printf(_("server:        %s (hearthd %s)\n"), c->prof.server, st->version);
		printf(_("started:       %s (up %s)\n"), t1, t2);
		printf(_("connections:   %u\n"), st->connections);
		human_bytes(st->store_bytes, b1, sizeof(b1));
		human_bytes(st->map_bytes, b2, sizeof(b2));
		printf(_("store:         %s of a %s map (%.1f%% used)%s\n"), b1, b2, used,
		       used >= 80 ? _("  -- raise the map size before it fills") : "");
		printf(_("records:       %llu\n"), (unsigned long long)st->records);
		out_local_time(st->last_commit_at, "-", t1, sizeof(t1));
		printf(_("commits:       %llu (%llu ops), last %s\n"), (unsigned long long)st->commits,
		       (unsigned long long)st->ops, t1);
		printf(_("group commit:  %s\n"), st->group_commit ? "on" : "off");
		printf(_("audit head:    %llu entries, hash %.12s\n"),
		       (unsigned long long)(st->audit_head ? st->audit_head->size : 0), hash[0] ? hash : "-");
		if (st->data_dir[0])
			printf(_("data dir:      %s\n"), st->data_dir);
	}
	envelope_free(resp, NULL);
	return EXIT_OK;
}

