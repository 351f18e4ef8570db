/* context.c: finds the request side's shared context from a connection. */
#include "server/api/context.h"

api *api_of(const conn *c)
{
	return c->srv->app;
}
