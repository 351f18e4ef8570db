/* wireprobe.c: a test tool that speaks to hearthd at the byte level, to
 * check how the server answers malformed or hostile input.
 *
 *   wireprobe --port P --cert C --key K --ca CA [--no-hello] [--raw-tcp]
 *             [--send HEX]... [--frame-len N] [--ping] [--wait-ms N] [--stall-ms N]
 *
 * Prints one line per event: "welcome", "pong", "error code=NAME field=F
 * message=...", "closed", "timeout". Exit 0 unless the tool itself failed. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hearth.h"
#include "session.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (hex[0] && hex[1] && n < cap) {
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static void print_env(Hearth__Envelope *e)
{
	if (e->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		const ProtobufCEnumValue *v =
			protobuf_c_enum_descriptor_get_value(&hearth__error_code__descriptor, e->error->code);
		printf("error code=%s field=%s message=%s\n", v ? v->name : "?", e->error->field,
		       e->error->message);
	} else {
		printf("%s\n", envelope_body_name(e));
	}
	fflush(stdout);
}

static int raw_tcp(int port, const uint8_t *data, size_t len, int wait_ms, int stall_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[4096];
	sa.sin_addr.s_addr = htonl(0x7f000001);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		printf("connect_failed %s\n", strerror(errno));
		return 1;
	}
	if (stall_ms > 0) {
		/* Slowloris: one byte at a time, stall_ms apart. */
		for (size_t i = 0; i < len; i++) {
			if (send(fd, data + i, 1, MSG_NOSIGNAL) != 1)
				break;
			usleep((useconds_t)stall_ms * 1000);
		}
	} else if (len) {
		(void)!send(fd, data, len, MSG_NOSIGNAL);
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, wait_ms);
		ssize_t r;
		if (pr == 0) {
			printf("timeout\n");
			break;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0) {
			printf("closed\n");
			break;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },  { "ca", required_argument, NULL, 'a' },
		{ "no-hello", no_argument, NULL, 'n' },   { "raw-tcp", no_argument, NULL, 'r' },
		{ "send", required_argument, NULL, 's' }, { "frame-len", required_argument, NULL, 'f' },
		{ "ping", no_argument, NULL, 'P' },       { "wait-ms", required_argument, NULL, 'w' },
		{ "stall-ms", required_argument, NULL, 'S' }, { NULL, 0, NULL, 0 },
	};
	profile prof;
	session s;
	static uint8_t data[1 << 20];
	size_t len = 0;
	int port = 0, hello = 1, raw = 0, ping = 0, wait_ms = 3000, stall_ms = 0, o;
	long long frame_len = -1;

	memset(&prof, 0, sizeof(prof));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'n': hello = 0; break;
		case 'r': raw = 1; break;
		case 's': len += unhex(optarg, data + len, sizeof(data) - len); break;
		case 'f': frame_len = atoll(optarg); break;
		case 'P': ping = 1; break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'S': stall_ms = atoi(optarg); break;
		default: return 2;
		}
	}
	if (frame_len >= 0) {
		/* A header claiming frame_len bytes, followed by whatever --send gave. */
		memmove(data + 4, data, len);
		data[0] = (uint8_t)(frame_len >> 24);
		data[1] = (uint8_t)(frame_len >> 16);
		data[2] = (uint8_t)(frame_len >> 8);
		data[3] = (uint8_t)frame_len;
		len += 4;
	}
	if (raw)
		return raw_tcp(port, data, len, wait_ms, stall_ms);

	char server[64];
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (hello) {
		if (session_open(&s, &prof) != 0) {
			printf("open_failed %s\n", s.error);
			session_close(&s);
			return 0;
		}
		printf("welcome\n");
	} else {
		/* TLS only: the same as session_open but stop before Hello. */
		fprintf(stderr, "wireprobe: --no-hello needs --raw-tcp in this version\n");
		return 2;
	}
	s.timeout_ms = wait_ms;
	if (len && session_write_raw(&s, data, len) != 0) {
		printf("closed\n");
		session_close(&s);
		return 0;
	}
	if (ping) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
		Hearth__Ping p = HEARTH__PING__INIT;
		req.body_case = HEARTH__ENVELOPE__BODY_PING;
		req.ping = &p;
		session_send(&s, &req, NULL);
	}
	for (;;) {
		Hearth__Envelope *e = NULL;
		int rc = session_recv(&s, &e);
		if (rc == HEARTH_ETIMEDOUT) {
			printf("timeout\n");
			break;
		}
		if (rc < 0) {
			printf("closed\n");
			break;
		}
		print_env(e);
		envelope_free(e, NULL);
		if (!len && ping)
			break;
	}
	s.fail = SESSION_PROTOCOL; /* skip close_notify on a dead connection */
	session_close(&s);
	return 0;
}
