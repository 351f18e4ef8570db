/* stats_load.c: loads a snapshot of the replica and counts it for the
 * committee's figures. */
#include "client/core/stats_load.h"

#include "client/core/due_load.h"

int stats_scan(stats *s, replica *r)
{
	due_snapshot all;
	int rc;

	if ((rc = due_snapshot_load(r, NULL, &all)) != 0)
		return rc;
	rc = stats_scan_snapshot(s, &all);
	due_snapshot_free(&all);
	return rc;
}
