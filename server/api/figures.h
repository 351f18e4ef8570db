/* figures.h: the committee's figures request (FiguresRequest -> Figures),
 * answered from the counters the writer keeps (server/db/figures.h) in a
 * short read transaction on the loop. */
#ifndef HEARTHD_API_FIGURES_H
#define HEARTHD_API_FIGURES_H

#include "common/envelope.h"

struct conn;

/* dispatch_fn (loop thread): answers c with Figures, or an Error (roles:
 * authz_console, read; a year outside 1921..2199 is INVALID). Returns
 * DISPATCH_DONE. */
int figures_handle_request(struct conn *c, Hearth__Envelope *env);

#endif
