/* admin_backup.c: `hearth admin backup --to FILE`: fetches a consistent
 * snapshot of the whole store from the server, piece by piece, into FILE. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd/admin_backup.h"

#include "client/cmd/admin.h"
#include "common/audit.h"
#include "client/cmd/cli.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "common/i18n.h"

#define CHUNK (1u << 20)

/* Sends req and waits for a BackupChunk; an Error answer is printed. */
static int call_chunk(session *s, Hearth__BackupRequest *br, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_BACKUP_REQUEST;
	req.backup_request = br;
	if (session_call(s, &req, resp) != 0)
		return cli_lost("admin backup", s);
	if ((*resp)->body_case != HEARTH__ENVELOPE__BODY_BACKUP_CHUNK)
		return cli_refused("admin backup", NULL, *resp);
	return EXIT_OK;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int admin_backup(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL;
	char tmp[4200], hash[65] = "none", dir[4200];
	session s;
	Hearth__Envelope *resp = NULL;
	Hearth__BackupRequest br = HEARTH__BACKUP_REQUEST__INIT;
	uint64_t total, offset = 0, seq, records, cp_size = 0;
	int signed_ok = 0, fd = -1, o, rc;

	optind = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 't')
			to = optarg;
		else if (o == 'h') {
			printf(_("usage: hearth admin backup --to FILE\n\n"
			       "Asks the server for a consistent, compacted snapshot of its whole store\n"
			       "(LMDB's copy, made while it keeps serving) and writes it to FILE, with\n"
			       "the audit checkpoint it ends at, signed by the server. Restore it on the\n"
			       "server's machine with 'hearthd restore --from FILE --data DIR'. Admin\n"
			       "certificates only; the backup is an audited event.\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc || !to || !to[0]) {
		cli_error(_("admin backup: --to FILE is required; see 'hearth admin backup --help'"));
		return EXIT_USAGE;
	}
	if (strlen(to) > 4000) {
		cli_error(_("admin backup: --to: path too long"));
		return EXIT_USAGE;
	}
	rc = cli_connect(c, &s);
	if (rc != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	/* The snapshot of a large store takes a while before the first answer. */
	s.timeout_ms = 15 * 60 * 1000;
	br.start = 1;
	if ((rc = call_chunk(&s, &br, &resp)) != EXIT_OK)
		goto out;
	total = resp->backup_chunk->total_size;
	seq = resp->backup_chunk->seq;
	records = resp->backup_chunk->records;
	if (resp->backup_chunk->checkpoint) {
		Hearth__Checkpoint *cp = resp->backup_chunk->checkpoint;
		const Hearth__Welcome *w = s.welcome;
		cp_size = cp->size;
		if (cp->head_hash.len == AUDIT_HASH_LEN)
			audit_hex(cp->head_hash.data, AUDIT_HASH_LEN, hash);
		signed_ok = w->audit_public_key.len == AUDIT_KEY_LEN &&
		            audit_verify_checkpoint(w->audit_public_key.data, cp) == 0;
	}
	envelope_free(resp, NULL);
	resp = NULL;

	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		cli_error(_("admin backup: cannot write %s: %s"), tmp, strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	s.timeout_ms = 60 * 1000;
	while (offset < total) {
		Hearth__BackupChunk *ch;
		br.start = 0;
		br.offset = offset;
		br.length = CHUNK;
		if ((rc = call_chunk(&s, &br, &resp)) != EXIT_OK)
			goto out;
		ch = resp->backup_chunk;
		if (ch->offset != offset || ch->data.len == 0 || ch->data.len > total - offset) {
			cli_error(_("admin backup: the server sent a piece at %llu of %zu bytes; expected one at %llu"),
			          (unsigned long long)ch->offset, ch->data.len, (unsigned long long)offset);
			rc = EXIT_FAIL;
			goto out;
		}
		if (write_all(fd, ch->data.data, ch->data.len) != 0) {
			cli_error(_("admin backup: cannot write %s: %s"), tmp, strerror(errno));
			rc = EXIT_FAIL;
			goto out;
		}
		offset += ch->data.len;
		out_progress("backup", offset, total);
		envelope_free(resp, NULL);
		resp = NULL;
	}
	out_progress_end();
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		cli_error(_("admin backup: cannot write %s: %s"), tmp, strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	fd = -1;
	if (rename(tmp, to) != 0) {
		cli_error(_("admin backup: cannot rename %s to %s: %s"), tmp, to, strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", to);
	{
		int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	printf(_("backup: %s (%llu bytes, change %llu, %llu records)\n"), to, (unsigned long long)total,
	       (unsigned long long)seq, (unsigned long long)records);
	printf(_("checkpoint: size=%llu head=%s (%s)\n"), (unsigned long long)cp_size, hash,
	       signed_ok ? _("signed by the server's audit key") : _("SIGNATURE NOT VERIFIED"));
	printf(_("restore on the server's machine with: hearthd restore --from %s --data DIR\n"), to);
	rc = signed_ok ? EXIT_OK : EXIT_FAIL;
	if (!signed_ok)
		cli_error(_("admin backup: the checkpoint's signature does not verify with the server's audit key"));
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	envelope_free(resp, NULL);
	session_close(&s);
	return rc;
}
