/* figures.c: answers FiguresRequest from the counters (server/db/figures.h),
 * so `hearth admin stats` needs no replica. */
#include "server/api/figures.h"

#include <stdlib.h>

#include "common/hearth.h"
#include "server/api/authz.h"
#include "server/api/context.h"
#include "server/db/figures.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"

int figures_handle_request(conn *c, Hearth__Envelope *env)
{
	api *a = api_of(c);
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Figures fig = HEARTH__FIGURES__INIT;
	Hearth__BranchFigures *bf = NULL, **bp = NULL;
	figures_row *rows = NULL;
	size_t n = 0;
	MDB_txn *txn;
	int year = env->figures_request->year, rc;

	if (authz_console(c, env, AUTHZ_READ) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (year < 1921 || year > 2199) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "year", 0,
		                "year %d is not a year from 1921 to 2199", year);
		return DISPATCH_DONE;
	}
	if ((rc = store_err(mdb_txn_begin(a->store->env, NULL, MDB_RDONLY, &txn))) == 0) {
		rc = figures_read(a->store, txn, year, &rows, &n);
		mdb_txn_abort(txn);
	}
	if (rc == 0 && n && (!(bf = calloc(n, sizeof(*bf))) || !(bp = calloc(n, sizeof(*bp)))))
		rc = HEARTH_ENOMEM;
	if (rc != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, NULL, 0,
		                "cannot read the figures: %s", hearth_strerror(rc));
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		hearth__branch_figures__init(&bf[i]);
		bf[i].branch_id = rows[i].branch;
		bf[i].values = rows[i].v;
		bf[i].n_values = FC_COUNT;
		bp[i] = &bf[i];
	}
	fig.year = year;
	fig.branches = bp;
	fig.n_branches = n;
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_FIGURES;
	out.figures = &fig;
	conn_send(c, &out);
done:
	free(bp);
	free(bf);
	free(rows);
	return DISPATCH_DONE;
}
