/* benchbase.c: the baselines `make bench` prints beside hearth's figures
 * (tests/bench/run.sh), measured on the same machine in the same run:
 *
 *   benchbase --mode lmdb --dir DIR [--records N]
 *       N member records as hearthd stores them (the loadgen's fields,
 *       packed Record, UUIDv7 key) put into a fresh LMDB environment in
 *       one write transaction and committed (fsync): what a store does
 *       with nothing but the records. Prints records, seconds, rate,
 *       cpu_us (CPU per record) and bytes (per packed record).
 *   benchbase --mode tls --cert F --key F --client-cert F --client-key F --ca F
 *             [--reply B] [--stream MB]
 *       a TLS 1.3 mutual-authentication connection on 127.0.0.1 between
 *       two threads (the server's and a client's certificate), no protocol: the median of 201 round trips of a
 *       32-byte request answered by B bytes (rtt_ms), then MB MiB sent
 *       one way in 64 KiB writes (mbps, MiB/s).
 *
 * Passes or fails nothing; exits 1 only when it cannot run. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <lmdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/hearth.h"
#include "common/uuid.h"
#include "proto/hearth.pb-c.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------------------ lmdb */

/* The loadgen's member (tests/tools/loadgen.c), as the server stores it
 * after a create: revision 1, its sequence, the author. */
static size_t pack_member(long i, const uint8_t id[16], uint8_t *out, size_t cap)
{
	static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴" };
	static const char *given[] = { "秀英", "桂兰", "建国", "国强", "志明", "丽娟", "海燕", "文华" };
	Hearth__Record r = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	char name[32];
	size_t n;

	snprintf(name, sizeof(name), "%s%s", surnames[i % 10], given[(i / 10) % 8]);
	m.name = name;
	m.gender = 1 + i % 2;
	m.category = 1;
	m.join_date = "2001-07-01";
	m.address = "北京市海淀区中关村大街一号院三号楼二单元五零一室";
	m.notes = "长期坚持参加支部组织生活，主动承担社区志愿服务工作，"
	          "群众评价良好。家中老人需要照顾，支部定期走访慰问。"
	          "本人表示将继续发挥党员先锋模范作用。";
	r.id.data = (uint8_t *)id;
	r.id.len = 16;
	r.kind = HEARTH__KIND__KIND_MEMBER;
	r.branch_id = "b001";
	r.rev = 1;
	r.seq = (uint64_t)i + 1;
	r.updated_at = 1764633600000 + i;
	r.updated_by = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	r.updated_by_name = "张三";
	r.body_case = HEARTH__RECORD__BODY_MEMBER;
	r.member = &m;
	n = hearth__record__get_packed_size(&r);
	if (n > cap)
		return 0;
	return hearth__record__pack(&r, out);
}

static int run_lmdb(const char *dir, long records)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	uint8_t id[16], buf[2048];
	double t0, c0, secs, cpu;
	size_t bytes = 0;
	int rc;

	if ((rc = mdb_env_create(&env)) != 0 || (rc = mdb_env_set_mapsize(env, 16ull << 30)) != 0 ||
	    (rc = mdb_env_open(env, dir, 0, 0600)) != 0) {
		fprintf(stderr, "benchbase: cannot open %s: %s\n", dir, mdb_strerror(rc));
		if (env)
			mdb_env_close(env);
		return 1;
	}
	t0 = now_s();
	c0 = cpu_s();
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0)
		goto fail;
	for (long i = 0; i < records; i++) {
		size_t n;
		MDB_val k = { 16, id }, v;
		uuid_v7(id);
		if ((n = pack_member(i, id, buf, sizeof(buf))) == 0) {
			rc = MDB_BAD_VALSIZE;
			goto fail;
		}
		v.mv_size = n;
		v.mv_data = buf;
		bytes += n;
		if ((rc = mdb_put(txn, dbi, &k, &v, 0)) != 0)
			goto fail;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto fail;
	secs = now_s() - t0;
	cpu = cpu_s() - c0;
	printf("mode=lmdb records=%ld seconds=%.3f rate=%.0f cpu_us=%.2f bytes=%.0f\n", records, secs,
	       (double)records / secs, cpu * 1e6 / (double)records, (double)bytes / (double)records);
	mdb_env_close(env);
	return 0;
fail:
	fprintf(stderr, "benchbase: lmdb: %s\n", mdb_strerror(rc));
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(env);
	return 1;
}

/* ------------------------------------------------------------------- tls */

typedef struct tls_side {
	SSL_CTX *ctx;
	int fd;
	int ok;
} tls_side;

static SSL_CTX *make_ctx(int server, const char *cert, const char *key, const char *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return ctx;
}

static int read_full(SSL *ssl, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		int r = SSL_read(ssl, buf + got, (int)(n - got));
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int write_full(SSL *ssl, const uint8_t *buf, size_t n)
{
	size_t put = 0;
	while (put < n) {
		int w = SSL_write(ssl, buf + put, (int)(n - put));
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

/* The server thread: requests are 32 bytes, 'R' + reply size (4 bytes BE)
 * or 'S' + bytes to stream (8 bytes BE) or 'Q'. */
static void *tls_server(void *arg)
{
	tls_side *sv = arg;
	static uint8_t chunk[65536];
	uint8_t req[32];
	int fd = accept(sv->fd, NULL, NULL);
	SSL *ssl;

	if (fd < 0)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	ssl = SSL_new(sv->ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	while (read_full(ssl, req, sizeof(req)) == 0 && req[0] != 'Q') {
		uint64_t n = 0;
		if (req[0] == 'R') {
			n = (uint64_t)req[1] << 24 | (uint64_t)req[2] << 16 | (uint64_t)req[3] << 8 | req[4];
			if (n > sizeof(chunk) || write_full(ssl, chunk, n) != 0)
				break;
		} else if (req[0] == 'S') {
			for (int i = 1; i <= 8; i++)
				n = n << 8 | req[i];
			while (n > 0) {
				size_t w = n < sizeof(chunk) ? (size_t)n : sizeof(chunk);
				if (write_full(ssl, chunk, w) != 0)
					goto out;
				n -= w;
			}
		}
	}
	sv->ok = 1;
out:
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int run_tls(const char *cert, const char *key, const char *ccert, const char *ckey, const char *ca,
                   unsigned reply, unsigned stream_mb)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	tls_side sv = { 0 };
	SSL_CTX *cctx = NULL;
	SSL *ssl = NULL;
	pthread_t th;
	uint8_t req[32], *buf = malloc(65536);
	double rtt[201], t0, secs;
	uint64_t total = (uint64_t)stream_mb << 20, got = 0;
	int fd = -1, rc = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv.ctx = make_ctx(1, cert, key, ca);
	cctx = make_ctx(0, ccert, ckey, ca);
	sv.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || !sv.ctx || !cctx || sv.fd < 0 || bind(sv.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(sv.fd, 1) != 0 || getsockname(sv.fd, (struct sockaddr *)&sa, &sl) != 0) {
		fprintf(stderr, "benchbase: tls: cannot set up (certificates or socket)\n");
		ERR_print_errors_fp(stderr);
		goto out;
	}
	if (reply > 65536)
		reply = 65536;
	pthread_create(&th, NULL, tls_server, &sv);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto join;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	ssl = SSL_new(cctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		goto join;
	memset(req, 0, sizeof(req));
	for (int i = 0; i < 201; i++) {
		req[0] = 'R';
		req[1] = (uint8_t)(reply >> 24);
		req[2] = (uint8_t)(reply >> 16);
		req[3] = (uint8_t)(reply >> 8);
		req[4] = (uint8_t)reply;
		t0 = now_s();
		if (write_full(ssl, req, sizeof(req)) != 0 || read_full(ssl, buf, reply) != 0)
			goto join;
		rtt[i] = (now_s() - t0) * 1000.0;
	}
	qsort(rtt, 201, sizeof(double), cmp_double);
	req[0] = 'S';
	for (int i = 0; i < 8; i++)
		req[1 + i] = (uint8_t)(total >> (56 - 8 * i));
	t0 = now_s();
	if (write_full(ssl, req, sizeof(req)) != 0)
		goto join;
	while (got < total) {
		int r = SSL_read(ssl, buf, 65536);
		if (r <= 0)
			goto join;
		got += (uint64_t)r;
	}
	secs = now_s() - t0;
	req[0] = 'Q';
	write_full(ssl, req, sizeof(req));
	printf("mode=tls reply=%u rtt_ms=%.3f stream_mib=%u seconds=%.3f mbps=%.1f\n", reply, rtt[100], stream_mb, secs,
	       (double)total / 1048576.0 / secs);
	rc = 0;
join:
	if (rc) {
		fprintf(stderr, "benchbase: tls: the loopback connection failed\n");
		ERR_print_errors_fp(stderr);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
	}
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	shutdown(sv.fd, SHUT_RDWR);
	pthread_join(th, NULL);
out:
	if (sv.fd >= 0)
		close(sv.fd);
	SSL_CTX_free(sv.ctx);
	SSL_CTX_free(cctx);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },   { "dir", required_argument, NULL, 'd' },
		{ "records", required_argument, NULL, 'n' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },    { "ca", required_argument, NULL, 'a' },
		{ "reply", required_argument, NULL, 'r' },  { "stream", required_argument, NULL, 's' },
		{ "client-cert", required_argument, NULL, 'C' }, { "client-key", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = "", *dir = NULL, *cert = NULL, *key = NULL, *ca = NULL, *ccert = NULL, *ckey = NULL;
	long records = 100000;
	unsigned reply = 5000, stream_mb = 256;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'm': mode = optarg; break;
		case 'd': dir = optarg; break;
		case 'n': records = strtol(optarg, NULL, 10); break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'r': reply = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': stream_mb = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'C': ccert = optarg; break;
		case 'K': ckey = optarg; break;
		default: return 2;
		}
	}
	if (!strcmp(mode, "lmdb") && dir && records > 0)
		return run_lmdb(dir, records);
	if (!strcmp(mode, "tls") && cert && key && ccert && ckey && ca && stream_mb > 0)
		return run_tls(cert, key, ccert, ckey, ca, reply, stream_mb);
	fprintf(stderr, "usage: benchbase --mode lmdb --dir DIR [--records N]\n"
	                "       benchbase --mode tls --cert F --key F --client-cert F --client-key F --ca F\n"
	                "                 [--reply BYTES] [--stream MIB]\n");
	return 2;
}
