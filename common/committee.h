/* committee.h: the committee's stats and report computed by hearthd
 * (CommitteeRequest -> Committee, issue 16 item 4) on the wire: the checks
 * of a request, and one branch's row (common/stats.h stats_row with its
 * yearly_report) to a CommitteeBranch and back, so the client rebuilds
 * exactly the row a replica would have computed.
 *
 * Section and group names travel as their JSON keys; the decoder maps them
 * back to yearly.c's static strings (yearly_intern). A figure of a section
 * or group this build does not know (a newer server's) is dropped; the
 * figures of stats_fig beyond this build's ST_COUNT are ignored and those a
 * shorter (older) answer lacks are 0. */
#ifndef HEARTH_COMMITTEE_H
#define HEARTH_COMMITTEE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/due.h"
#include "common/stats.h"

/* Bounds of what a peer may send, checked before anything is allocated. */
#define COMMITTEE_ASK_MAX 64          /* branches named in a request */
#define COMMITTEE_PAGE_MAX 256        /* branches in one answer (hearthd sends COMMITTEE_PAGE) */
#define COMMITTEE_PAGE 64             /* branches hearthd puts in one answer */
#define COMMITTEE_VALUES_MAX 256      /* values per branch (ST_COUNT now) */
#define COMMITTEE_FIGURES_MAX 2048    /* year figures per branch */
#define COMMITTEE_VETERANS_MAX 100000 /* 光荣在党50年 members per branch */

/* What a checked request asks. */
typedef struct committee_ask {
	int year;
	int32_t today;
	due_config due;
} committee_ask;

/* Checks rq (year 1921..2199, today a day of 1921-01-01..2199-12-31, each
 * threshold in the range profile.ini [due] allows, at most
 * COMMITTEE_ASK_MAX branches, each 1..63 bytes) into *out. Returns 0, or
 * HEARTH_EINVAL with *field naming the field (static) and msg (cap bytes)
 * saying what is wrong, in English (the server's words). */
int committee_ask_check(const Hearth__CommitteeRequest *rq, committee_ask *out, const char **field,
                        char *msg, size_t cap);

/* Fills rq from ask (rq is zeroed first; no branches). */
void committee_ask_to_request(const committee_ask *ask, Hearth__CommitteeRequest *rq);

/* One branch's row in wire form. msg borrows the row's strings: the row
 * must outlive the packing of msg. The arrays are owned; free them with
 * committee_wire_free. */
typedef struct committee_wire {
	Hearth__CommitteeBranch msg;
	int64_t values[ST_COUNT];
	int64_t months[12];
	Hearth__YearFigure *figs;
	Hearth__YearFigure **figp;
	Hearth__Veteran *vets;
	Hearth__Veteran **vetp;
} committee_wire;

/* Builds w from row (w needs no init). Returns 0 or HEARTH_ENOMEM (w is
 * then empty). */
int committee_row_to_wire(const stats_row *row, committee_wire *w);
void committee_wire_free(committee_wire *w);

/* Rebuilds a row from in for year (row is zeroed first; its year report
 * is owned by it: yearly_free). Returns 0; HEARTH_EINVAL when a count or
 * a length is over its bound or a value is malformed, with *field naming
 * it (static; row is then empty); or HEARTH_ENOMEM. */
int committee_row_from_wire(const Hearth__CommitteeBranch *in, int year, stats_row *row, const char **field);

#endif
