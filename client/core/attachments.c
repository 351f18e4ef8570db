/* attachments.c: the replica's content store of attachments and the
 * lookup of an attachment by hash or name (see attachments.h). */
#include "client/core/attachments.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"

#define COPY_BUF (64 * 1024)

/* replica/content, created on first use. */
static int content_dir(replica *r, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/content", r->path);

	if (n < 0 || (size_t)n >= cap)
		return HEARTH_EINVAL;
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return HEARTH_EIO;
	return 0;
}

int attachments_path(replica *r, const uint8_t hash[32], const char *suffix, char *out, size_t cap)
{
	char dir[1200], hex[ATTACHMENT_HEX_LEN + 1];
	int rc = content_dir(r, dir, sizeof(dir)), n;

	if (rc)
		return rc;
	attachment_hex(hash, hex);
	n = snprintf(out, cap, "%s/%s%s", dir, hex, suffix ? suffix : "");
	return n < 0 || (size_t)n >= cap ? HEARTH_EINVAL : 0;
}

static int content_path(replica *r, const uint8_t hash[32], char *out, size_t cap)
{
	return attachments_path(r, hash, NULL, out, cap);
}

int attachments_mark_uploaded(replica *r, const uint8_t hash[32])
{
	char p[1400];
	int fd;

	if (attachments_path(r, hash, ATTACHMENTS_UPLOADED_SUFFIX, p, sizeof(p)) != 0)
		return HEARTH_EINVAL;
	if ((fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return HEARTH_EIO;
	close(fd);
	return 0;
}

int attachments_uploaded(replica *r, const uint8_t hash[32])
{
	char p[1400];

	return attachments_path(r, hash, ATTACHMENTS_UPLOADED_SUFFIX, p, sizeof(p)) == 0 && access(p, F_OK) == 0;
}

int attachments_forget_uploaded(replica *r)
{
	char dir[1200];
	size_t suffix = strlen(ATTACHMENTS_UPLOADED_SUFFIX);
	struct dirent *e;
	DIR *d;
	int rc = content_dir(r, dir, sizeof(dir));

	if (rc)
		return rc;
	if ((d = opendir(dir)) == NULL)
		return HEARTH_EIO;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n != ATTACHMENT_HEX_LEN + suffix ||
		    strcmp(e->d_name + ATTACHMENT_HEX_LEN, ATTACHMENTS_UPLOADED_SUFFIX) != 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) != 0 && errno != ENOENT)
			rc = HEARTH_EIO;
	}
	closedir(d);
	return rc;
}

/* Copies in to out (both open) while hashing, at most limit bytes (more
 * is HEARTH_ETOOBIG); head receives the first bytes for the sniffer. */
static int copy_hashing(int in, int out, uint64_t limit, uint8_t hash[32], uint64_t *size,
                        uint8_t *head, size_t *head_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *buf = malloc(COPY_BUF);
	int rc = 0;

	*size = 0;
	if (head_len)
		*head_len = 0;
	if (!md || !buf || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		rc = HEARTH_ENOMEM;
		goto done;
	}
	for (;;) {
		ssize_t n = read(in, buf, COPY_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = HEARTH_EIO;
			goto done;
		}
		if (n == 0)
			break;
		if (head && *head_len < ATTACHMENT_SNIFF_LEN) {
			size_t take = ATTACHMENT_SNIFF_LEN - *head_len;
			if (take > (size_t)n)
				take = (size_t)n;
			memcpy(head + *head_len, buf, take);
			*head_len += take;
		}
		*size += (uint64_t)n;
		if (limit && *size > limit) {
			rc = HEARTH_ETOOBIG;
			goto done;
		}
		EVP_DigestUpdate(md, buf, (size_t)n);
		for (ssize_t off = 0; out >= 0 && off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = HEARTH_EIO;
				goto done;
			}
			off += w;
		}
	}
	EVP_DigestFinal_ex(md, hash, NULL);
done:
	free(buf);
	EVP_MD_CTX_free(md);
	return rc;
}

/* The refusals of a file taken in, one copy for a file on disk and one
 * from memory: label names it (its path, or its name for an upload). */
static int refuse_kept(int rc, const char *label, uint64_t max_size, const attachment_file *f, char *err,
                       size_t errlen)
{
	if (rc == HEARTH_ETOOBIG) {
		snprintf(err, errlen, _("%s is larger than %llu MB, the most one attachment may be"), label,
		         (unsigned long long)(max_size / (1024 * 1024)));
		return rc;
	}
	if (f->size == 0) {
		snprintf(err, errlen, _("%s is empty; an attachment needs content"), label);
		return HEARTH_EINVAL;
	}
	if (f->type == NULL) {
		snprintf(err, errlen,
		         _("%s is not a JPEG, PNG, PDF or office document (Word, Excel, PowerPoint); "
		           "its type is told by its content, not its name"),
		         label);
		return HEARTH_EINVAL;
	}
	return 0;
}

int attachments_keep(replica *r, const char *path, const char *name, uint64_t max_size,
                     attachment_file *out, char *err, size_t errlen)
{
	char dest[1400], tmp[1450];
	uint8_t head[ATTACHMENT_SNIFF_LEN];
	size_t head_len = 0;
	int in = -1, fd = -1, rc;

	err[0] = 0;
	if (content_dir(r, dest, sizeof(dest)) != 0) {
		snprintf(err, errlen, _("cannot create the attachment store in %s: %s"), r->path,
		         strerror(errno));
		return HEARTH_EIO;
	}
	/* The name of the copy is its hash, known only at the end: it is
	 * written under a temporary name first. */
	snprintf(tmp, sizeof(tmp), "%s/.in-%ld", dest, (long)getpid());
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
		return HEARTH_EIO;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), tmp, strerror(errno));
		rc = HEARTH_EIO;
		goto fail_tmp;
	}
	rc = copy_hashing(in, fd, max_size, out->sha256, &out->size, head, &head_len);
	if (rc == HEARTH_ETOOBIG) {
		refuse_kept(rc, path, max_size, out, err, errlen);
		goto fail;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = HEARTH_EIO;
	if (rc) {
		snprintf(err, errlen, _("cannot copy %s: %s"), path, strerror(errno));
		goto fail;
	}
	out->type = attachment_sniff(head, head_len, name);
	if ((rc = refuse_kept(0, path, max_size, out, err, errlen)) != 0)
		goto fail;
	close(fd);
	fd = -1;
	if ((rc = content_path(r, out->sha256, dest, sizeof(dest))) != 0 || rename(tmp, dest) != 0) {
		snprintf(err, errlen, _("cannot keep a copy of %s in %s: %s"), path, r->path, strerror(errno));
		rc = HEARTH_EIO;
		goto fail;
	}
	close(in);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail_tmp:
	close(in);
	return rc;
}

int attachments_keep_data(replica *r, const void *data, size_t len, uint64_t seen, const char *name,
                          uint64_t max_size, attachment_file *out, char *err, size_t errlen)
{
	char dest[1400], tmp[1450];
	int fd = -1, rc;

	err[0] = 0;
	memset(out, 0, sizeof(*out));
	out->size = seen > len ? seen : len;
	if (max_size && out->size > max_size)
		return refuse_kept(HEARTH_ETOOBIG, name, max_size, out, err, errlen);
	out->type = attachment_sniff(data, len < ATTACHMENT_SNIFF_LEN ? len : ATTACHMENT_SNIFF_LEN, name);
	if ((rc = refuse_kept(0, name, max_size, out, err, errlen)) != 0)
		return rc;
	if (EVP_Digest(data, len, out->sha256, NULL, EVP_sha256(), NULL) != 1)
		return HEARTH_ENOMEM;
	if (content_dir(r, dest, sizeof(dest)) != 0) {
		snprintf(err, errlen, _("cannot create the attachment store in %s: %s"), r->path,
		         strerror(errno));
		return HEARTH_EIO;
	}
	snprintf(tmp, sizeof(tmp), "%s/.in-%ld", dest, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), tmp, strerror(errno));
		return HEARTH_EIO;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const uint8_t *)data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto failed_write;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto failed_write;
	if (close(fd) != 0) {
		fd = -1;
		goto failed_write;
	}
	fd = -1;
	if (content_path(r, out->sha256, dest, sizeof(dest)) != 0 || rename(tmp, dest) != 0)
		goto failed_write;
	return 0;
failed_write:
	snprintf(err, errlen, _("cannot keep a copy of %s in %s: %s"), name, r->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return HEARTH_EIO;
}

int attachments_have(replica *r, const uint8_t hash[32], uint64_t size)
{
	char p[1400];
	struct stat st;

	return content_path(r, hash, p, sizeof(p)) == 0 && stat(p, &st) == 0 && (uint64_t)st.st_size == size;
}

int attachments_copy_out(replica *r, const uint8_t hash[32], const char *to, char *err, size_t errlen)
{
	char src[1400], tmp[1200];
	uint8_t got[32];
	uint64_t size;
	int in = -1, fd = -1, rc, n;

	err[0] = 0;
	if ((rc = content_path(r, hash, src, sizeof(src))) != 0)
		return HEARTH_ENOTFOUND;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? HEARTH_ENOTFOUND : HEARTH_EIO;
	n = snprintf(tmp, sizeof(tmp), "%s.part", to);
	if (n < 0 || (size_t)n >= sizeof(tmp) ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), to, strerror(errno));
		close(in);
		return HEARTH_EIO;
	}
	rc = copy_hashing(in, fd, 0, got, &size, NULL, NULL);
	if (rc == 0 && memcmp(got, hash, 32) != 0)
		rc = HEARTH_ECORRUPT;
	if (rc == 0 && fsync(fd) != 0)
		rc = HEARTH_EIO;
	if (close(fd) != 0 && rc == 0)
		rc = HEARTH_EIO;
	if (rc == 0 && rename(tmp, to) != 0)
		rc = HEARTH_EIO;
	if (rc == HEARTH_EIO)
		snprintf(err, errlen, _("cannot write %s: %s"), to, strerror(errno));
	if (rc)
		unlink(tmp);
	close(in);
	return rc;
}

int attachments_read(replica *r, const uint8_t hash[32], const char *name, uint64_t max, char **data,
                     size_t *len, const char **type)
{
	char src[1400];
	struct stat st;
	uint8_t got[32];
	char *buf = NULL;
	size_t have = 0;
	int in, rc = 0;

	*data = NULL;
	*len = 0;
	*type = NULL;
	if (content_path(r, hash, src, sizeof(src)) != 0)
		return HEARTH_ENOTFOUND;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? HEARTH_ENOTFOUND : HEARTH_EIO;
	if (fstat(in, &st) != 0) {
		rc = HEARTH_EIO;
		goto done;
	}
	if ((uint64_t)st.st_size > max) {
		rc = HEARTH_ETOOBIG;
		goto done;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		rc = HEARTH_ENOMEM;
		goto done;
	}
	while (have < (size_t)st.st_size) {
		ssize_t n = read(in, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = HEARTH_EIO;
			goto done;
		}
		have += (size_t)n;
	}
	if (EVP_Digest(buf, have, got, NULL, EVP_sha256(), NULL) != 1) {
		rc = HEARTH_ENOMEM;
		goto done;
	}
	if (memcmp(got, hash, 32) != 0) {
		rc = HEARTH_ECORRUPT;
		goto done;
	}
	*type = attachment_sniff((const uint8_t *)buf, have < ATTACHMENT_SNIFF_LEN ? have : ATTACHMENT_SNIFF_LEN,
	                         name);
	*data = buf;
	*len = have;
	buf = NULL;
done:
	free(buf);
	close(in);
	return rc;
}

/* ------------------------------------------------------------ lookup */

typedef struct find_ctx {
	const char *what;
	int by_hash;
	attachment_hit *hit;
	size_t contents;          /* distinct contents matched */
	uint8_t seen[16][32];     /* the first of them, to count each once */
} find_ctx;

static int seen_before(const find_ctx *x, const uint8_t *hash)
{
	for (size_t i = 0; i < x->contents && i < 16; i++) {
		if (memcmp(x->seen[i], hash, 32) == 0)
			return 1;
	}
	return 0;
}

static int hex_prefix(const uint8_t hash[32], const char *what)
{
	char hex[ATTACHMENT_HEX_LEN + 1];
	size_t n = strlen(what);

	attachment_hex(hash, hex);
	for (size_t i = 0; i < n; i++) {
		char c = what[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (c != hex[i])
			return 0;
	}
	return 1;
}

static int find_one(void *arg, const Hearth__Record *rec)
{
	find_ctx *x = arg;
	size_t n;
	Hearth__Attachment **list = attachment_list(record_body(rec), &n);

	for (size_t i = 0; i < n; i++) {
		const Hearth__Attachment *a = list[i];
		int match = x->by_hash ? a->sha256.len == 32 && hex_prefix(a->sha256.data, x->what)
		                       : strcmp(a->name, x->what) == 0;
		if (!match || a->sha256.len != 32)
			continue;
		if (seen_before(x, a->sha256.data))
			continue;
		if (x->contents < 16)
			memcpy(x->seen[x->contents], a->sha256.data, 32);
		if (x->contents++ == 0) {
			memcpy(x->hit->record_id, rec->id.data, rec->id.len == 16 ? 16 : 0);
			x->hit->kind = rec->kind;
			snprintf(x->hit->name, sizeof(x->hit->name), "%s", a->name);
			snprintf(x->hit->type, sizeof(x->hit->type), "%s", a->type);
			memcpy(x->hit->sha256, a->sha256.data, 32);
			x->hit->size = a->size;
		}
	}
	return 0;
}

static int all_hex(const char *s)
{
	size_t n = strlen(s);

	if (n < 8 || n > ATTACHMENT_HEX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	}
	return 1;
}

int attachments_find(replica *r, const char *what, attachment_hit *hit, char *err, size_t errlen)
{
	find_ctx x = { .what = what, .hit = hit };
	int rc;

	err[0] = 0;
	memset(hit, 0, sizeof(*hit));
	/* A name that looks like a hash prefix is looked up both ways: a hash
	 * first, then as a name. */
	x.by_hash = all_hex(what);
	if ((rc = replica_each(r, 0, 0, find_one, &x)) != 0)
		return rc;
	if (x.contents == 0 && x.by_hash) {
		x.by_hash = 0;
		if ((rc = replica_each(r, 0, 0, find_one, &x)) != 0)
			return rc;
	}
	if (x.contents == 0) {
		snprintf(err, errlen, _("no attachment on this replica has the hash or name %s"), what);
		return HEARTH_ENOTFOUND;
	}
	if (x.contents > 1) {
		snprintf(err, errlen,
		         P_("%s names %zu different attachment; give more of its hash (hearth KIND attachments ID lists them)",
		            "%s names %zu different attachments; give more of its hash (hearth KIND attachments ID lists them)",
		            x.contents),
		         what, x.contents);
		return HEARTH_EINVAL;
	}
	return 0;
}
