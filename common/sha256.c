/* sha256.c: SHA-256 with the algorithm fetched once per process. */
#include "common/sha256.h"

#include <openssl/sha.h>
#include <pthread.h>

/* OpenSSL 3's one-shot SHA256() looks the algorithm up in its provider
 * tables on every call (EVP_MD_fetch), which was 40% of the hashing cost
 * of a sync and of the writer, where each record is hashed several times
 * (digests, audit leaf and link). The fetched algorithm is kept for the
 * life of the process, shared by every thread (an EVP_MD is immutable). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Each thread's digest context, kept between calls: EVP_Digest made and
 * freed one per hash (two allocations and a provider context set-up), and
 * the writer hashes each record three to five times. Freed when its
 * thread ends. */
static pthread_key_t ctx_key;
static int have_ctx_key;

static void free_ctx(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void fetch_md(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	have_ctx_key = pthread_key_create(&ctx_key, free_ctx) == 0;
}

/* This thread's context, or NULL when none could be made. */
static EVP_MD_CTX *thread_ctx(void)
{
	EVP_MD_CTX *ctx;

	if (!have_ctx_key)
		return NULL;
	if ((ctx = pthread_getspecific(ctx_key)) == NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
	    pthread_setspecific(ctx_key, ctx) != 0) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

const EVP_MD *hearth_sha256_md(void)
{
	pthread_once(&sha256_once, fetch_md);
	return sha256_md;
}

void hearth_sha256(const void *data, size_t len, uint8_t out[HEARTH_SHA256_LEN])
{
	static const uint8_t empty = 0;
	const EVP_MD *md = hearth_sha256_md();
	EVP_MD_CTX *ctx = md ? thread_ctx() : NULL;

	if (!data)
		data = &empty;
	if (ctx && EVP_DigestInit_ex2(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, data, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, NULL) == 1)
		return;
	if (!md || EVP_Digest(data, len, out, NULL, md, NULL) != 1)
		SHA256(data, len, out);
}
