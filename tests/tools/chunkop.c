/* chunkop.c: a test tool that speaks the attachment content protocol
 * (ChunkPut, ChunkQuery, ChunkGet) directly, so tests can ask for another
 * branch's hash, send a chunk whose hash does not match, or stop an upload
 * at a chosen chunk.
 *
 *   chunkop --port P --cert C --key K --ca CA [--bad-hash] ACTION ARGS
 *     query HEX              what the server holds of file HEX
 *     put HEX FILE FROM TO   chunks FROM..TO-1 of FILE (256 KiB each), one
 *                            request each, stopping at the first refusal
 *     get HEX INDEX          one chunk
 *     flood HEX N            N requests for chunk 0 sent at once, then the
 *                            socket is closed without reading an answer
 *
 * Prints one line per answer: "state size=S chunks=N have=H complete=C",
 * "data index=I len=L sha256=HEX", or "error code=E field=F message=M".
 * --bad-hash sends each chunk with a chunk_sha256 that is not its hash;
 * --short-hash sends file_sha256 one byte short. */
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/core/session.h"
#include "common/hearth.h"
#include "tool_util.h"

#define CHUNK (256 * 1024)

static int print_answer(const Hearth__Envelope *r)
{
	if (r->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		printf("error code=%s field=%s message=%s\n", tool_enum_name(&hearth__error_code__descriptor, r->error->code),
		       r->error->field ? r->error->field : "", r->error->message ? r->error->message : "");
		return 1;
	}
	if (r->body_case == HEARTH__ENVELOPE__BODY_CHUNK_STATE) {
		const Hearth__ChunkState *s = r->chunk_state;
		printf("state size=%llu chunks=%u have=%u complete=%d\n", (unsigned long long)s->size, s->chunks,
		       s->have, s->complete ? 1 : 0);
		return 0;
	}
	if (r->body_case == HEARTH__ENVELOPE__BODY_CHUNK_DATA) {
		const Hearth__ChunkData *d = r->chunk_data;
		uint8_t h[32];
		unsigned int hl = 32;
		char hex[65];
		EVP_Digest(d->data.data, d->data.len, h, &hl, EVP_sha256(), NULL);
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", h[i]);
		printf("data index=%u len=%zu sha256=%s\n", d->index, d->data.len, hex);
		return 0;
	}
	printf("answer body=%d\n", (int)r->body_case);
	return 1;
}

static int call(session *s, Hearth__Envelope *req)
{
	Hearth__Envelope *resp = NULL;
	int rc;

	if (session_call(s, req, &resp) != 0) {
		printf("closed %s\n", s->error);
		return -1;
	}
	rc = print_answer(resp);
	fflush(stdout);
	envelope_free(resp, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },  { "ca", required_argument, NULL, 'a' },
		{ "bad-hash", no_argument, NULL, 'b' },   { "short-hash", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	profile prof;
	session s;
	char server[64];
	uint8_t file[32];
	int port = 0, bad_hash = 0, o, rc = 0;
	size_t hash_len = 32;

	memset(&prof, 0, sizeof(prof));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'b': bad_hash = 1; break;
		case 's': hash_len = 31; break;
		default: return 2;
		}
	}
	if (optind + 2 > argc || tool_unhex(argv[optind + 1], file, 32) != 32)
		return 2;
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (session_open(&s, &prof) != 0) {
		printf("open_failed %s\n", s.error);
		session_close(&s);
		return 0;
	}
	if (!strcmp(argv[optind], "query")) {
		Hearth__ChunkQuery q = HEARTH__CHUNK_QUERY__INIT;
		q.file_sha256.data = file;
		q.file_sha256.len = hash_len;
		req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_QUERY;
		req.chunk_query = &q;
		call(&s, &req);
	} else if (!strcmp(argv[optind], "get") && optind + 3 <= argc) {
		Hearth__ChunkGet g = HEARTH__CHUNK_GET__INIT;
		g.file_sha256.data = file;
		g.file_sha256.len = hash_len;
		g.index = (uint32_t)atoi(argv[optind + 2]);
		req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_GET;
		req.chunk_get = &g;
		call(&s, &req);
	} else if (!strcmp(argv[optind], "flood") && optind + 3 <= argc) {
		Hearth__ChunkGet g = HEARTH__CHUNK_GET__INIT;
		long n = atol(argv[optind + 2]);
		uint64_t id;
		g.file_sha256.data = file;
		g.file_sha256.len = hash_len;
		req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_GET;
		req.chunk_get = &g;
		for (long i = 0; i < n && i < 1000; i++)
			if (session_send(&s, &req, &id) != 0)
				break;
		/* Gone without a word: the server's answers meet a closed socket. */
		close(s.fd);
		s.fd = -1;
		printf("flooded\n");
	} else if (!strcmp(argv[optind], "put") && optind + 5 <= argc) {
		FILE *f = fopen(argv[optind + 2], "rb");
		long from = atol(argv[optind + 3]), to = atol(argv[optind + 4]);
		static uint8_t buf[CHUNK];
		uint8_t h[32];
		unsigned int hl = 32;
		if (!f) {
			printf("cannot open %s\n", argv[optind + 2]);
			rc = 2;
			goto done;
		}
		for (long i = from; i < to; i++) {
			Hearth__ChunkPut p = HEARTH__CHUNK_PUT__INIT;
			size_t n;
			if (fseek(f, i * (long)CHUNK, SEEK_SET) != 0 || (n = fread(buf, 1, CHUNK, f)) == 0)
				break;
			EVP_Digest(buf, n, h, &hl, EVP_sha256(), NULL);
			if (bad_hash)
				h[0] ^= 1;
			p.file_sha256.data = file;
			p.file_sha256.len = hash_len;
			p.index = (uint32_t)i;
			p.chunk_sha256.data = h;
			p.chunk_sha256.len = 32;
			p.data.data = buf;
			p.data.len = n;
			req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_PUT;
			req.chunk_put = &p;
			if (call(&s, &req) != 0)
				break;
		}
		fclose(f);
	} else {
		rc = 2;
	}
done:
	session_close(&s);
	return rc;
}
