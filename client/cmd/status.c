/* status.c: `hearth status`, what the local replica holds, without connecting. */
#include "client/cmd/status.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "client/ui/output.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/uuid.h"

int cmd_status(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	replica r;
	replica_status st;
	char when[64], branch[128], idt[UUID_TEXT_LEN + 1];
	int json = 0, o, rc;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf(_("usage: hearth status [--json]\n\n"
			       "Shows the local replica without connecting: edits waiting to be sent\n"
			       "(pending ops), changes the server rejected and that are kept here\n"
			       "until edited or discarded ('hearth rejected'), the server change sequence it has pulled up to (cursor),\n"
			       "how many records it holds (deleted ones not counted), open conflicts,\n"
			       "and when it last synced (local time).\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error(_("status: unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = cli_open_replica(c, &r, "status")) != EXIT_OK)
		return rc;
	if ((rc = replica_status_get(&r, &st)) != 0) {
		cli_error(_("status: cannot read the local replica: %s"), _(hearth_strerror(rc)));
		replica_close(&r);
		return EXIT_FAIL;
	}
	replica_meta_get_str(&r, "branch", branch, sizeof(branch));
	uuid_format(r.replica_id, idt);
	out_local_time(st.last_sync_ms, _("never"), when, sizeof(when));
	if (json) {
		printf("{\"pending_ops\":%llu,\"rejected\":%llu,\"cursor\":%llu,\"records\":%llu,"
		       "\"open_conflicts\":%llu,\"last_sync\":",
		       (unsigned long long)st.pending_ops, (unsigned long long)st.rejected,
		       (unsigned long long)st.cursor, (unsigned long long)st.records,
		       (unsigned long long)st.open_conflicts);
		if (st.last_sync_ms)
			out_json_quote(stdout, when);
		else
			fputs("null", stdout);
		printf(",\"last_sync_ms\":%lld,\"branch\":", (long long)st.last_sync_ms);
		out_json_quote(stdout, branch);
		printf(",\"replica_id\":\"%s\"}\n", idt);
	} else {
		printf(_("pending ops:     %llu\n"), (unsigned long long)st.pending_ops);
		printf(_("rejected:        %llu%s\n"), (unsigned long long)st.rejected,
		       st.rejected ? _(" (kept here; 'hearth rejected' lists them)") : "");
		printf(_("cursor:          %llu\n"), (unsigned long long)st.cursor);
		printf(_("records:         %llu\n"), (unsigned long long)st.records);
		printf(_("open conflicts:  %llu\n"), (unsigned long long)st.open_conflicts);
		printf(_("last sync:       %s\n"), when);
		if (branch[0]) {
			/* The branch came from the server's Welcome. */
			fputs(_("branch:          "), stdout);
			out_text(stdout, branch, 0);
			fputc('\n', stdout);
		}
		printf(_("replica:         %s\n"), idt);
	}
	replica_close(&r);
	return EXIT_OK;
}

