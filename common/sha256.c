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

static void fetch_md(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
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

	if (!data)
		data = &empty;
	if (!md || EVP_Digest(data, len, out, NULL, md, NULL) != 1)
		SHA256(data, len, out);
}
