/* partialframe.c: authenticated connections that each hold a partial
 * frame: Hello, then a header announcing L bytes and L-1 of them, never the
 * last (issue 12 item 10: the server's memory for frames in progress).
 *
 *   partialframe --port P --cert C --key K --ca CA --clients N
 *                --frame-bytes L [--hold-ms T]
 *
 * Prints "opened=O sent=S" once every connection has sent its bytes (S:
 * those whose writes all went through), holds them T ms, then
 * "answered=A" (connections the server answered, i.e. refused) and the
 * first answer as "error code=... field=... message=...".  Bounded:
 * N <= 2000, L <= 64 MiB, T <= 120000 ms. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/core/session.h"
#include "common/frame.h"
#include "common/hearth.h"
#include "tool_util.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },        { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },         { "ca", required_argument, NULL, 'a' },
		{ "clients", required_argument, NULL, 'n' },     { "frame-bytes", required_argument, NULL, 'L' },
		{ "hold-ms", required_argument, NULL, 'T' },     { NULL, 0, NULL, 0 },
	};
	static uint8_t chunk[65536];
	profile prof;
	char server[64];
	session *ss;
	int port = 0, n = 0, hold = 0, o, opened = 0, sent = 0, answered = 0, shown = 0;
	long frame_bytes = 0;

	memset(&prof, 0, sizeof(prof));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'L': frame_bytes = atol(optarg); break;
		case 'T': hold = atoi(optarg); break;
		default: return 2;
		}
	}
	if (port <= 0 || n <= 0 || n > 2000 || frame_bytes < 2 || frame_bytes > 64L * 1024 * 1024 ||
	    hold < 0 || hold > 120000) {
		fprintf(stderr, "partialframe: need --port, --clients 1..2000, --frame-bytes 2..64M, "
		                "--hold-ms 0..120000\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	ss = calloc((size_t)n, sizeof(*ss));
	if (!ss)
		return 1;
	for (int i = 0; i < n; i++) {
		uint8_t hdr[FRAME_HEADER_LEN];
		long left = frame_bytes - 1;
		int ok;

		if (session_open(&ss[i], &prof) != 0) {
			fprintf(stderr, "partialframe: session %d: %s\n", i, ss[i].error);
			continue;
		}
		opened++;
		frame_header(hdr, (uint32_t)frame_bytes);
		ok = session_write_raw(&ss[i], hdr, sizeof(hdr)) == 0;
		while (ok && left > 0) {
			size_t k = left > (long)sizeof(chunk) ? sizeof(chunk) : (size_t)left;
			ok = session_write_raw(&ss[i], chunk, k) == 0;
			left -= (long)k;
		}
		if (ok)
			sent++;
	}
	printf("opened=%d sent=%d\n", opened, sent);
	fflush(stdout);
	if (hold > 0)
		usleep((useconds_t)hold * 1000);
	for (int i = 0; i < n; i++) {
		Hearth__Envelope *e = NULL;

		if (!ss[i].welcome)
			continue;
		ss[i].timeout_ms = 50;
		if (session_recv(&ss[i], &e) == 0) {
			answered++;
			if (!shown && e->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
				printf("error code=%s field=%s message=%s\n",
				       tool_enum_name(&hearth__error_code__descriptor, e->error->code),
				       e->error->field, e->error->message);
				shown = 1;
			}
			envelope_free(e, NULL);
		}
	}
	printf("answered=%d\n", answered);
	for (int i = 0; i < n; i++)
		session_close(&ss[i]);
	free(ss);
	return 0;
}
