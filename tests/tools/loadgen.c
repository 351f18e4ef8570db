/* loadgen.c: opens many real TLS sessions to hearthd at once and exercises
 * them, for the concurrency tests and the benchmarks.
 *
 *   loadgen --port P --cert C --key K --ca CA --clients N [--pings M] [--hold-ms T]
 *
 * Opens N sessions (all held open together), sends M pings on each, then
 * holds them T ms before closing. Prints: opened=N pinged=N failed=K. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hearth.h"
#include "session.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },    { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },     { "ca", required_argument, NULL, 'a' },
		{ "clients", required_argument, NULL, 'n' }, { "pings", required_argument, NULL, 'm' },
		{ "hold-ms", required_argument, NULL, 'H' }, { NULL, 0, NULL, 0 },
	};
	profile prof;
	session *ss;
	char server[64];
	int port = 0, n = 1, pings = 1, hold = 0, o, opened = 0, pinged = 0, failed = 0;

	memset(&prof, 0, sizeof(prof));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'm': pings = atoi(optarg); break;
		case 'H': hold = atoi(optarg); break;
		default: return 2;
		}
	}
	if (n < 1 || n > 10000)
		return 2;
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	ss = calloc((size_t)n, sizeof(*ss));
	if (!ss)
		return 1;
	for (int i = 0; i < n; i++) {
		if (session_open(&ss[i], &prof) == 0) {
			opened++;
		} else {
			fprintf(stderr, "loadgen: session %d: %s\n", i, ss[i].error);
			failed++;
		}
	}
	for (int i = 0; i < n; i++) {
		int ok = ss[i].welcome != NULL;
		for (int k = 0; ok && k < pings; k++) {
			Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
			Hearth__Ping p = HEARTH__PING__INIT;
			Hearth__Envelope *resp = NULL;
			req.body_case = HEARTH__ENVELOPE__BODY_PING;
			req.ping = &p;
			if (session_call(&ss[i], &req, &resp) != 0 ||
			    resp->body_case != HEARTH__ENVELOPE__BODY_PONG)
				ok = 0;
			envelope_free(resp, NULL);
		}
		if (ok)
			pinged++;
		else if (ss[i].welcome)
			failed++;
	}
	printf("opened=%d pinged=%d failed=%d\n", opened, pinged, failed);
	fflush(stdout);
	if (hold > 0)
		usleep((useconds_t)hold * 1000);
	for (int i = 0; i < n; i++)
		session_close(&ss[i]);
	free(ss);
	return failed ? 1 : 0;
}
