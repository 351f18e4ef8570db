/* committee_fetch.h: the committee's stats and year report as hearthd
 * computes them (CommitteeRequest -> Committee, every page), into a stats
 * the client prints as if it had counted a replica; shared by `hearth
 * admin stats|report` and the 统计 / 全委报表 pages of `hearth ui`.
 * Nothing here prints. */
#ifndef HEARTH_CORE_COMMITTEE_FETCH_H
#define HEARTH_CORE_COMMITTEE_FETCH_H

#include <stddef.h>

#include "client/core/session.h"
#include "common/stats.h"

/* At most this many pages (of COMMITTEE_PAGE branches) are asked for. */
#define COMMITTEE_FETCH_PAGES_MAX 100000

typedef enum committee_outcome {
	COMMITTEE_DONE = 0,   /* st holds the server's rows (from_server, from_committee) */
	COMMITTEE_OLD,        /* an older hearthd: it answered ERR_PROTOCOL */
	COMMITTEE_REFUSED,    /* *refusal holds the server's answer (envelope_free it) */
	COMMITTEE_LOST,       /* the connection failed: why holds s->error */
	COMMITTEE_BAD,        /* the answer broke a bound or did not fit: why says which field */
	COMMITTEE_NOMEM,
} committee_outcome;

/* Asks the server, on the open session s, for the figures of st's year as
 * of st->today with st->due's thresholds (st after stats_init, with its
 * branch rows and names, if any, already added), every branch of the
 * certificate's scope, page by page, and puts each row in st
 * (stats_put_row). The caller runs stats_finish. On any outcome but DONE
 * st may hold part of the rows: the caller frees it and starts again.
 * why (cap bytes) is set for LOST and BAD, in the user's language. */
committee_outcome committee_fetch(session *s, stats *st, Hearth__Envelope **refusal, char *why, size_t cap);

#endif
