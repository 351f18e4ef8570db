/* dispatch.c: the route table from Envelope body to handler; requests
 * other than the pre-Hello ones are refused until the Hello is done. */
#include "server/loop/dispatch.h"

#include "common/hearth.h"
#include "server/loop/connection.h"

#define DISPATCH_MAX_ROUTES 64

struct route {
	Hearth__Envelope__BodyCase body;
	dispatch_fn fn;
	enum dispatch_when when;
};

static struct route routes[DISPATCH_MAX_ROUTES];
static size_t n_routes;

int dispatch_register(Hearth__Envelope__BodyCase body, dispatch_fn fn, enum dispatch_when when)
{
	for (size_t i = 0; i < n_routes; i++) {
		if (routes[i].body == body) {
			routes[i].fn = fn;
			routes[i].when = when;
			return 0;
		}
	}
	if (n_routes >= DISPATCH_MAX_ROUTES)
		return HEARTH_EINVAL;
	routes[n_routes++] = (struct route){ body, fn, when };
	return 0;
}

void dispatch_envelope(conn *c, Hearth__Envelope *env)
{
	const struct route *r = NULL;

	for (size_t i = 0; i < n_routes; i++) {
		if (routes[i].body == env->body_case) {
			r = &routes[i];
			break;
		}
	}
	if (!r) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL, "body", 1,
		                "unexpected message \"%s\" from a client", envelope_body_name(env));
	} else if (r->when != DISPATCH_BEFORE_HELLO && c->state != CONN_READY) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL, "hello", 1,
		                "send Hello before \"%s\"", envelope_body_name(env));
	} else {
		if (r->fn(c, env) == DISPATCH_KEPT)
			return;
	}
	envelope_free(env, NULL);
}
