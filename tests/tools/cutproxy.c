/* cutproxy.c: a TCP proxy for tests that cuts every connection after a set
 * number of bytes from the server, the way a flaky link drops a sync.
 *
 *   cutproxy --port P [--host 127.0.0.1] [--cut-bytes N] [--jitter J]
 *            [--seed S] [--lifetime-ms T] [--max-conns M] [--log FILE]
 *
 * Listens on 127.0.0.1 port 0 and prints "port=L" (flushed) once it does;
 * forwards each connection to HOST:P. After N bytes went from the server
 * to the client (exactly N: a read is never larger than what is left), both
 * sockets are closed; N = 0 never cuts (a pass-through that only counts).
 * --jitter J cuts each connection up to J bytes before N instead, drawn
 * from a generator seeded with S (default 1), so that the cuts land at
 * every point of a page, not always at the same one; J < N.
 * The cut is a plain close, so the client reads all N bytes before it sees
 * the end, and a test knows exactly what reached it.
 * --cut-up-bytes U cuts instead (or as well) once U bytes went from the
 * client to the server, the way an upload is cut.
 * --log FILE: one line per closed connection, "conn=K down=D up=U cut=0|1"
 * (down: server to client). Bounded: it exits after T ms (default 60000,
 * at most 3600000), or once M connections (default 10000, at most
 * 1000000) were accepted and closed, and prints
 * "done connections=C cut=K down_bytes=D up_bytes=U". At most 64
 * connections are open at once; more wait in the listen queue. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CUT_MAX_PAIRS 64
#define CUT_MAX_LIFETIME_MS 3600000L
#define CUT_MAX_CONNS 1000000L
#define CUT_BUF 65536

typedef struct pipe_dir {
	char buf[CUT_BUF];
	size_t len, off;      /* pending bytes are buf[off..len) */
	unsigned long long total;
} pipe_dir;

typedef struct pair {
	int cfd, sfd;         /* client side, server side; -1 when free */
	long id;
	unsigned long long cut_at; /* server-to-client bytes before the cut; 0: never */
	unsigned long long up_cut_at; /* client-to-server bytes before the cut; 0: never */
	pipe_dir down, up;    /* server to client, client to server */
} pair;

static pair pairs[CUT_MAX_PAIRS];
static unsigned long long g_cut_bytes, g_jitter, g_cut_up_bytes;
static unsigned int g_seed = 1;
static long g_conns, g_cuts;
static unsigned long long g_down, g_up;
static FILE *g_log;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void pair_close(pair *p, int cut)
{
	if (p->cfd < 0)
		return;
	close(p->cfd);
	close(p->sfd);
	g_down += p->down.total;
	g_up += p->up.total;
	if (cut)
		g_cuts++;
	if (g_log) {
		fprintf(g_log, "conn=%ld down=%llu up=%llu cut=%d\n", p->id, p->down.total, p->up.total, cut);
		fflush(g_log);
	}
	p->cfd = p->sfd = -1;
}

/* A blocking connect to the server with a 2 s bound; -1 on failure. */
static int connect_server(const struct sockaddr_in *sa)
{
	struct timeval tv = { 2, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
		close(fd);
		return -1;
	}
	set_nonblock(fd);
	return fd;
}

/* Reads what src has into d (only when d is empty; at most limit bytes).
 * 1: read something, 0: nothing yet, -1: end or error. */
static int dir_fill(pipe_dir *d, int src, size_t limit)
{
	ssize_t n;

	if (d->off < d->len)
		return 0;
	d->off = d->len = 0;
	if (limit > sizeof(d->buf))
		limit = sizeof(d->buf);
	n = recv(src, d->buf, limit, 0);
	if (n > 0) {
		d->len = (size_t)n;
		d->total += (unsigned long long)n;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return -1;
}

/* Writes d's pending bytes to dst. 0: fine (maybe partly), -1: error. */
static int dir_flush(pipe_dir *d, int dst)
{
	while (d->off < d->len) {
		ssize_t n = send(dst, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
		if (n > 0) {
			d->off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		return -1;
	}
	return 0;
}

/* Moves bytes both ways for one pair after poll; closes it on an end, an
 * error, or once the server sent cut bytes and all of them reached the
 * client. */
static void pair_step(pair *p, short crev, short srev)
{
	size_t limit = CUT_BUF, up_limit = CUT_BUF;

	if (p->up_cut_at) {
		unsigned long long left = p->up_cut_at - p->up.total;
		up_limit = left < CUT_BUF ? (size_t)left : CUT_BUF;
	}
	if (p->cut_at) {
		unsigned long long left = p->cut_at - p->down.total;
		limit = left < CUT_BUF ? (size_t)left : CUT_BUF;
	}
	if ((srev & (POLLIN | POLLHUP | POLLERR)) && limit > 0 && dir_fill(&p->down, p->sfd, limit) < 0) {
		pair_close(p, 0);
		return;
	}
	if ((crev & (POLLIN | POLLHUP | POLLERR)) && up_limit > 0 && dir_fill(&p->up, p->cfd, up_limit) < 0) {
		pair_close(p, 0);
		return;
	}
	if (dir_flush(&p->down, p->cfd) < 0 || dir_flush(&p->up, p->sfd) < 0) {
		pair_close(p, 0);
		return;
	}
	if (p->cut_at && p->down.total >= p->cut_at && p->down.off == p->down.len)
		pair_close(p, 1);
	else if (p->up_cut_at && p->up.total >= p->up_cut_at && p->up.off == p->up.len)
		pair_close(p, 1);
}

static void usage(void)
{
	fprintf(stderr, "usage: cutproxy --port P [--host H] [--cut-bytes N] [--jitter J] [--seed S] "
	                "[--cut-up-bytes U] [--lifetime-ms T] [--max-conns M] [--log FILE]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },        { "host", required_argument, NULL, 'h' },
		{ "cut-bytes", required_argument, NULL, 'n' },   { "lifetime-ms", required_argument, NULL, 't' },
		{ "max-conns", required_argument, NULL, 'm' },   { "log", required_argument, NULL, 'l' },
		{ "jitter", required_argument, NULL, 'j' },      { "seed", required_argument, NULL, 's' },
		{ "cut-up-bytes", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = "127.0.0.1";
	long port = 0, lifetime = 60000, max_conns = 10000;
	struct sockaddr_in sa, la;
	socklen_t ll = sizeof(la);
	struct pollfd pf[1 + 2 * CUT_MAX_PAIRS];
	int map[1 + 2 * CUT_MAX_PAIRS];
	long long end;
	int lfd, o, one = 1;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atol(optarg); break;
		case 'h': host = optarg; break;
		case 'n': g_cut_bytes = strtoull(optarg, NULL, 10); break;
		case 'j': g_jitter = strtoull(optarg, NULL, 10); break;
		case 'u': g_cut_up_bytes = strtoull(optarg, NULL, 10); break;
		case 's': g_seed = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 't': lifetime = atol(optarg); break;
		case 'm': max_conns = atol(optarg); break;
		case 'l':
			if (!(g_log = fopen(optarg, "w"))) {
				fprintf(stderr, "cutproxy: cannot write %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			break;
		default: usage(); return 2;
		}
	}
	if (port < 1 || port > 65535 || lifetime < 1 || lifetime > CUT_MAX_LIFETIME_MS || max_conns < 1 ||
	    max_conns > CUT_MAX_CONNS || (g_jitter && g_jitter >= g_cut_bytes)) {
		usage();
		fprintf(stderr, "cutproxy: --port 1-65535, --lifetime-ms 1-%ld, --max-conns 1-%ld, "
		                "--jitter below --cut-bytes\n",
		        CUT_MAX_LIFETIME_MS, CUT_MAX_CONNS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "cutproxy: --host %s is not an IPv4 address\n", host);
		return 2;
	}
	memset(&la, 0, sizeof(la));
	la.sin_family = AF_INET;
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&la, sizeof(la)) != 0 || listen(lfd, 128) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&la, &ll) != 0) {
		fprintf(stderr, "cutproxy: cannot listen on 127.0.0.1: %s\n", strerror(errno));
		return 1;
	}
	set_nonblock(lfd);
	for (int i = 0; i < CUT_MAX_PAIRS; i++)
		pairs[i].cfd = pairs[i].sfd = -1;
	printf("port=%u\n", ntohs(la.sin_port));
	fflush(stdout);

	end = now_ms() + lifetime;
	for (;;) {
		long long left = end - now_ms();
		int nfd = 0, open_pairs = 0, free_slot = -1, rc;

		if (left <= 0)
			break;
		for (int i = 0; i < CUT_MAX_PAIRS; i++) {
			pair *p = &pairs[i];
			if (p->cfd < 0) {
				if (free_slot < 0)
					free_slot = i;
				continue;
			}
			open_pairs++;
			/* Read a side only when what came from it was passed on:
			 * the buffers never grow, and a slow side slows the other. */
			pf[nfd].fd = p->cfd;
			pf[nfd].events = (short)((p->up.off == p->up.len ? POLLIN : 0) |
			                         (p->down.off < p->down.len ? POLLOUT : 0));
			map[nfd++] = i;
			pf[nfd].fd = p->sfd;
			pf[nfd].events = (short)((p->down.off == p->down.len ? POLLIN : 0) |
			                         (p->up.off < p->up.len ? POLLOUT : 0));
			map[nfd++] = i;
		}
		if (g_conns >= max_conns && open_pairs == 0)
			break;
		if (free_slot >= 0 && g_conns < max_conns) {
			pf[nfd].fd = lfd;
			pf[nfd].events = POLLIN;
			map[nfd++] = -1;
		}
		rc = poll(pf, (nfds_t)nfd, left > 1000 ? 1000 : (int)left);
		if (rc < 0 && errno != EINTR) {
			fprintf(stderr, "cutproxy: poll: %s\n", strerror(errno));
			break;
		}
		if (rc <= 0)
			continue;
		for (int k = 0; k < nfd; k += 2) {
			if (map[k] < 0) {
				if (pf[k].revents & POLLIN) {
					int cfd = accept(lfd, NULL, NULL);
					if (cfd >= 0) {
						pair *p = &pairs[free_slot];
						int sfd = connect_server(&sa);
						g_conns++;
						if (sfd < 0) {
							close(cfd);
							continue;
						}
						set_nonblock(cfd);
						memset(p, 0, sizeof(*p));
						p->cfd = cfd;
						p->sfd = sfd;
						p->id = g_conns;
						p->cut_at = g_cut_bytes;
						p->up_cut_at = g_cut_up_bytes;
						if (g_jitter)
							p->cut_at -= (unsigned long long)rand_r(&g_seed) % (g_jitter + 1);
					}
				}
				continue;
			}
			if (pairs[map[k]].cfd >= 0)
				pair_step(&pairs[map[k]], pf[k].revents, pf[k + 1].revents);
		}
	}
	for (int i = 0; i < CUT_MAX_PAIRS; i++)
		pair_close(&pairs[i], 0);
	close(lfd);
	printf("done connections=%ld cut=%ld down_bytes=%llu up_bytes=%llu\n", g_conns, g_cuts, g_down, g_up);
	if (g_log)
		fclose(g_log);
	return 0;
}
