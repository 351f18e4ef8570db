/* tcpflood.c: a pre-auth flood: opens N plain TCP sockets to the server
 * and holds them, never starting TLS (issue 12 item 9).
 *
 *   tcpflood --port P [--host 127.0.0.1] [--source 127.0.0.2] --sockets N
 *            --hold-ms T [--reconnect] [--rate R]
 *
 * Prints "opened=N failed=F" once every socket was tried, then, when T
 * has passed, "done open=O reconnects=R closed_by_server=C" and exits 0.
 * --reconnect replaces every socket the server closes (an attacker who
 * keeps the pool full), at most R new sockets a second (default 500).
 * Bounded: N <= 20000, T <= 120000 ms; RLIMIT_NOFILE is raised to fit N
 * (up to the hard limit; fewer sockets are opened if it is too low).
 * --source binds every socket to that local address first, so that the
 * flood comes from another address than the clients a test serves
 * (any 127.0.0.0/8 address is local on Linux). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX_SOCKETS 20000
#define FLOOD_MAX_HOLD_MS 120000

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A blocking connect with a 2 s bound; -1 when it did not complete. */
static int open_one(const struct sockaddr_in *sa, const struct sockaddr_in *src)
{
	struct timeval tv = { 2, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (src && bind(fd, (const struct sockaddr *)src, sizeof(*src)) != 0) {
		close(fd);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* True when the peer closed fd (EOF or error on a socket we never write). */
static int closed_by_peer(int fd)
{
	char b[256];
	ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	const char *source = NULL;
	long port = 0, nsock = 0, hold_ms = 0, rate = 500;
	int reconnect = 0;
	struct sockaddr_in sa, src;
	struct rlimit rl;
	struct pollfd *pf;
	long opened = 0, failed = 0, reconnects = 0, closed = 0;
	long long end, sec_start;
	long this_sec = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = atol(argv[++i]);
		else if (!strcmp(argv[i], "--host") && i + 1 < argc)
			host = argv[++i];
		else if (!strcmp(argv[i], "--source") && i + 1 < argc)
			source = argv[++i];
		else if (!strcmp(argv[i], "--sockets") && i + 1 < argc)
			nsock = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = atol(argv[++i]);
		else if (!strcmp(argv[i], "--reconnect"))
			reconnect = 1;
		else {
			fprintf(stderr, "tcpflood: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || nsock <= 0 || nsock > FLOOD_MAX_SOCKETS || hold_ms <= 0 ||
	    hold_ms > FLOOD_MAX_HOLD_MS || rate <= 0) {
		fprintf(stderr, "tcpflood: need --port, --sockets 1..%d, --hold-ms 1..%d, --rate > 0\n",
		        FLOOD_MAX_SOCKETS, FLOOD_MAX_HOLD_MS);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcpflood: --host %s is not an IPv4 address\n", host);
		return 2;
	}
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	if (source && inet_pton(AF_INET, source, &src.sin_addr) != 1) {
		fprintf(stderr, "tcpflood: --source %s is not an IPv4 address\n", source);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nsock + 32) {
		rl.rlim_cur = (rlim_t)nsock + 32;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	pf = calloc((size_t)nsock, sizeof(*pf));
	if (!pf)
		return 1;
	end = now_ms() + hold_ms;
	for (long i = 0; i < nsock; i++) {
		pf[i].fd = now_ms() < end ? open_one(&sa, source ? &src : NULL) : -1;
		pf[i].events = POLLIN;
		if (pf[i].fd >= 0)
			opened++;
		else
			failed++;
	}
	printf("opened=%ld failed=%ld\n", opened, failed);
	fflush(stdout);

	sec_start = now_ms();
	while (now_ms() < end) {
		long long left = end - now_ms();
		int n = poll(pf, (nfds_t)nsock, left > 20 ? 20 : (int)left);

		if (n < 0 && errno != EINTR)
			break;
		if (now_ms() - sec_start >= 1000) {
			sec_start = now_ms();
			this_sec = 0;
		}
		for (long i = 0; i < nsock; i++) {
			if (pf[i].fd >= 0 && pf[i].revents && closed_by_peer(pf[i].fd)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				closed++;
			}
			pf[i].revents = 0;
			if (reconnect && pf[i].fd < 0 && this_sec < rate && now_ms() < end) {
				pf[i].fd = open_one(&sa, source ? &src : NULL);
				this_sec++;
				if (pf[i].fd >= 0)
					reconnects++;
			}
		}
	}
	opened = 0;
	for (long i = 0; i < nsock; i++) {
		if (pf[i].fd >= 0) {
			opened++;
			close(pf[i].fd);
		}
	}
	free(pf);
	printf("done open=%ld reconnects=%ld closed_by_server=%ld\n", opened, reconnects, closed);
	return 0;
}
