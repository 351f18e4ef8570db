/* audit_verify.c: `hearth audit verify`: the chain verification of
 * client/core/audit_verify.h over the witnessed connection, its result
 * printed in one line. */
#include "client/cmd/audit_verify.h"

#include <stdio.h>
#include <string.h>

#include "client/cmd/audit_query.h"
#include "client/core/audit_verify.h"
#include "common/i18n.h"

int audit_verify(cli *c, int argc, char **argv)
{
	audit_verify_result res;
	audit_reader rd;
	audq_conn x;
	char line[2000];
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf(_("usage: hearth audit verify\n\n"
		       "Checks the server's audit log: reads every entry, recomputes each leaf\n"
		       "(SHA-256 of the canonical bytes) and the hash chain, compares the result with\n"
		       "a freshly signed checkpoint, and checks the signature and head of every\n"
		       "checkpoint the server has signed. Names the first damaged entry and exits 1.\n"
		       "Admin and auditor certificates read every entry; a branch certificate can\n"
		       "verify every link of the chain but the contents of its own branch's entries\n"
		       "only.\n"));
		return EXIT_OK;
	}
	if (argc > 1) {
		cli_error(_("audit verify: unexpected argument \"%s\""), argv[1]);
		return EXIT_USAGE;
	}
	rc = audq_conn_open(&x, c, "audit verify");
	if (rc != EXIT_OK)
		goto fail;
	audq_reader(&x, &rd);
	switch (audit_verify_run(&rd, &res)) {
	case AUDIT_VERIFY_OK:
	case AUDIT_VERIFY_ENTRY_DAMAGED:
	case AUDIT_VERIFY_HEAD_DAMAGED:
	case AUDIT_VERIFY_CHECKPOINT_DAMAGED:
		audit_verify_sentence(&res, line, sizeof(line));
		printf(_("audit verify: %s\n"), line);
		rc = res.verdict == AUDIT_VERIFY_OK ? EXIT_OK : EXIT_FAIL;
		break;
	case AUDIT_VERIFY_LOST:
		rc = audq_lost(&x);
		break;
	case AUDIT_VERIFY_REFUSED:
		rc = EXIT_FAIL;     /* the reader's hook printed it */
		break;
	case AUDIT_VERIFY_FAILED:
		cli_error(_("audit verify: %s"), res.err);
		rc = EXIT_FAIL;
		break;
	}
fail:
	audq_conn_close(&x);
	return rc;
}
