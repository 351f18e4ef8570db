/* sha256.h: SHA-256 of a buffer, the one way every side hashes records,
 * digests and audit entries. */
#ifndef HEARTH_SHA256_H
#define HEARTH_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#define HEARTH_SHA256_LEN 32

/* out = SHA-256(data[0..len)). Thread-safe; data may be NULL when len is
 * 0. Never fails: the rare allocation failure falls back to OpenSSL's
 * one-shot SHA256(). */
void hearth_sha256(const void *data, size_t len, uint8_t out[HEARTH_SHA256_LEN]);

/* The same fetched algorithm, for HMAC and the like; NULL when the fetch
 * failed (the caller then uses EVP_sha256()). Lives as long as the process. */
const EVP_MD *hearth_sha256_md(void);

#endif
