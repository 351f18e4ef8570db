/* session.c: the commands about the connection itself: init, whoami, ping. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/cmd/session.h"
#include "client/core/identity.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "client/cmd/witness.h"
#include "client/ui/output.h"
#include "common/i18n.h"

static int absolute(const char *flag, const char *in, char *out, size_t len)
{
	char buf[PATH_MAX];
	if (!realpath(in, buf)) {
		cli_error(_("%s %s: cannot read it: %m"), flag, in);
		return -1;
	}
	if (access(buf, R_OK) != 0) {
		cli_error(_("%s %s: not readable: %m"), flag, in);
		return -1;
	}
	if (strlen(buf) >= len) {
		cli_error(_("%s %s: path too long"), flag, in);
		return -1;
	}
	snprintf(out, len, "%s", buf);
	return 0;
}

/* The scope a replica syncs under with this certificate: its branch for a
 * branch certificate, "" (all branches) for admin and auditor ones.
 * Returns 0, or -1 when the file names no hearth identity. */
static int cert_scope(const char *cert, char *out, size_t cap)
{
	tls_identity id;
	char err[300];

	if (identity_read(cert, &id, err, sizeof(err)) != IDENTITY_OK)
		return -1;
	if (id.role == HEARTH__ROLE__ROLE_GENERAL)
		snprintf(out, cap, "general/%s", id.branch_id);
	else
		snprintf(out, cap, "%s", id.role == HEARTH__ROLE__ROLE_BRANCH ? id.branch_id : "");
	return 0;
}

static const char *scope_words(const char *scope, char *buf, size_t cap)
{
	if (!scope[0])
		return _("all branches");
	snprintf(buf, cap, _("branch %s"), scope);
	return buf;
}

/* A new certificate for another scope makes the next sync pull from zero
 * under it, where this replica's unsent changes (made in the old scope)
 * cannot go: refuse while any are pending or rejected, unless the person
 * said on purpose that they may be dropped (then *drop is set, and
 * drop_unsent runs once the new profile is saved). Returns EXIT_OK to go
 * on. */
static int guard_unsent(cli *c, const profile *p, int discard, int *drop)
{
	char path[1300], old[128] = "", now[128] = "", err[1400], wo[80], wn[80];
	profile prev;
	replica r;
	replica_status st;
	struct stat sb;
	int rc, now_ok;

	*drop = 0;
	snprintf(path, sizeof(path), "%s/replica/data.mdb", p->home);
	if (stat(path, &sb) != 0)
		return EXIT_OK; /* no replica yet: nothing to lose */
	if (replica_open(&r, p->home, err, sizeof(err)) != 0) {
		cli_error(_("init: %s"), err);
		return EXIT_FAIL;
	}
	rc = replica_status_get(&r, &st);
	/* The scope it last synced under; before any sync, the old profile's. */
	if (rc == 0 && replica_meta_get_str(&r, "scope", old, sizeof(old)) != 0) {
		profile_home(&prev, c->home_opt);
		if (profile_load(&prev, err, sizeof(err)) != 0 || cert_scope(prev.cert, old, sizeof(old)) != 0)
			st.pending_ops = st.rejected = 0; /* no earlier scope to compare with */
	}
	replica_close(&r);
	if (rc != 0) {
		cli_error(_("init: cannot read the local replica: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	now_ok = cert_scope(p->cert, now, sizeof(now)) == 0;
	if ((now_ok && strcmp(old, now) == 0) || st.pending_ops + st.rejected == 0)
		return EXIT_OK;
	if (discard) {
		*drop = 1;
		return EXIT_OK;
	}
	cli_error(P_("init: this replica holds %llu unsent change of %s (%llu pending, %llu rejected); "
	             "the certificate %s is for %s, and a sync with it would pull from zero and could not "
	             "send them. Send them first with the current profile ('hearth sync', 'hearth "
	             "rejected'), or pass --discard-unsent to drop them",
	             "init: this replica holds %llu unsent changes of %s (%llu pending, %llu rejected); "
	             "the certificate %s is for %s, and a sync with it would pull from zero and could not "
	             "send them. Send them first with the current profile ('hearth sync', 'hearth "
	             "rejected'), or pass --discard-unsent to drop them", st.pending_ops + st.rejected),
	          (unsigned long long)(st.pending_ops + st.rejected), scope_words(old, wo, sizeof(wo)),
	          (unsigned long long)st.pending_ops, (unsigned long long)st.rejected, p->cert,
	          now_ok ? scope_words(now, wn, sizeof(wn)) : _("no hearth identity"));
	return EXIT_FAIL;
}

/* Drops the unsent changes guard_unsent found, saying how many went. */
static int drop_unsent(const profile *p)
{
	char err[1400];
	replica r;
	uint64_t ops = 0, recs = 0;
	char nops[64], nrecs[64];
	int rc;

	if (replica_open(&r, p->home, err, sizeof(err)) != 0) {
		cli_error(_("init: %s"), err);
		return EXIT_FAIL;
	}
	rc = replica_discard_unsent(&r, &ops, &recs);
	replica_close(&r);
	if (rc != 0) {
		cli_error(_("init: cannot drop the unsent changes: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	snprintf(nops, sizeof(nops), P_("%llu op", "%llu ops", ops), (unsigned long long)ops);
	snprintf(nrecs, sizeof(nrecs), P_("%llu local record copy", "%llu local record copies", recs),
	         (unsigned long long)recs);
	printf(_("init: discarded the unsent changes (%s, %s), as --discard-unsent asked\n"), nops, nrecs);
	return EXIT_OK;
}

/* `init --audit-key` on a replica that pinned another key: the person
 * names the key the committee published (the old one was lost, issue 13
 * item 10), so the replica trusts it from now on. The accepted checkpoint
 * and the witnessed links stay: the chain does not depend on the key, so a
 * restore notice signed with the new key is still checked against what
 * this replica saw. A profile edited by hand is still refused (witness.c). */
static int repin_audit_key(const profile *p, const uint8_t raw[AUDIT_KEY_LEN])
{
	char err[1400], path[1200], was[2 * AUDIT_KEY_LEN + 1];
	uint8_t *stored = NULL;
	size_t n = 0;
	struct stat st;
	replica r;
	int rc;

	snprintf(path, sizeof(path), "%s/replica", p->home);
	if (stat(path, &st) != 0)
		return EXIT_OK;
	if (replica_open(&r, p->home, err, sizeof(err)) != 0) {
		cli_error("init: %s", err);
		return EXIT_FAIL;
	}
	rc = replica_meta_get_bytes(&r, "audit_key", &stored, &n);
	if (rc == 0 && n == AUDIT_KEY_LEN && memcmp(stored, raw, AUDIT_KEY_LEN) != 0) {
		audit_hex(stored, AUDIT_KEY_LEN, was);
		rc = replica_meta_set_bytes(&r, "audit_key", raw, AUDIT_KEY_LEN);
		if (rc == 0)
			printf(_("init: this replica now trusts the audit key in %s instead of the one it pinned "
			         "(%s)\n"), p->audit_key, was);
	} else if (rc == HEARTH_ENOTFOUND) {
		rc = 0;
	}
	free(stored);
	replica_close(&r);
	if (rc != 0) {
		cli_error(_("init: cannot pin the audit key in the replica: %s"), hearth_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_init(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },
		{ "audit-key", required_argument, NULL, 'A' },
		{ "discard-unsent", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL, *cert = NULL, *key = NULL, *ca = NULL, *audit_key = NULL;
	profile p;
	char err[1200];
	int o, discard = 0, drop, rc;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'D': discard = 1; break;
		case 's': server = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'A': audit_key = optarg; break;
		case 'h':
			printf(_("usage: hearth init --server HOST:PORT --cert FILE --key FILE --ca FILE\n"
			       "                   [--audit-key FILE.pub] [--discard-unsent]\n\n"
			       "Stores a client profile under $HEARTH_HOME (default ~/.hearth; --home DIR\n"
			       "overrides): which server to use and which certificate, key and committee CA.\n"
			       "The files stay where they are; the profile records their absolute paths.\n"
			       "--audit-key names the server's audit public key (PEM, Ed25519): the audit\n"
			       "checkpoints must be signed by it. Without it the replica trusts the key\n"
			       "the server presents at the first sync and refuses any other later.\n"
			       "A certificate for another branch (or role) than the replica syncs with\n"
			       "is refused while the replica holds unsent changes (pending or\n"
			       "rejected); --discard-unsent drops them on purpose and says how many.\n"));
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(_("init: unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if (!server || !cert || !key || !ca) {
		cli_error(_("init: --server, --cert, --key and --ca are all required; see 'hearth init --help'"));
		return EXIT_USAGE;
	}
	profile_home(&p, c->home_opt);
	if (profile_set_server(&p, server) != 0) {
		cli_error(_("init: --server \"%s\" is not HOST:PORT (e.g. 127.0.0.1:7443)"), server);
		return EXIT_USAGE;
	}
	if (absolute("--cert", cert, p.cert, sizeof(p.cert)) || absolute("--key", key, p.key, sizeof(p.key)) ||
	    absolute("--ca", ca, p.ca, sizeof(p.ca)) ||
	    (audit_key && absolute("--audit-key", audit_key, p.audit_key, sizeof(p.audit_key))))
		return EXIT_USAGE;
	if (audit_key) {
		uint8_t raw[AUDIT_KEY_LEN];
		if (witness_load_pubkey(p.audit_key, raw, err, sizeof(err)) != 0) {
			cli_error(_("init: --audit-key: %s"), err);
			return EXIT_USAGE;
		}
	}
	if ((rc = guard_unsent(c, &p, discard, &drop)) != EXIT_OK)
		return rc;
	if (profile_save(&p, err, sizeof(err)) != 0) {
		cli_error(_("init: %s"), err);
		return EXIT_FAIL;
	}
	if (drop && (rc = drop_unsent(&p)) != EXIT_OK)
		return rc;
	if (audit_key) {
		uint8_t raw[AUDIT_KEY_LEN];
		if (witness_load_pubkey(p.audit_key, raw, err, sizeof(err)) != 0 ||
		    (rc = repin_audit_key(&p, raw)) != EXIT_OK)
			return EXIT_FAIL;
	}
	printf(_("profile saved in %s/profile.ini (server %s)\n"), p.home, p.server);
	printf(_("next: hearth%s%s whoami\n"), c->home_opt ? " --home " : "", c->home_opt ? c->home_opt : "");
	return EXIT_OK;
}

int cmd_whoami(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	session s;
	int json = 0, o, rc;
	Hearth__Principal *p;
	char bname[256];

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf(_("usage: hearth whoami [--json]\n\n"
			       "Connects and prints who the server sees: role, organisation, branch,\n"
			       "name (certificate CN) and certificate fingerprint (SHA-256, lower-case hex,\n"
			       "as 'openssl x509 -fingerprint -sha256' prints it without colons).\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	rc = cli_connect(c, &s);
	if (rc != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	p = s.welcome->principal;
	bname[0] = '\0';
	if (p->branch_id[0]) {
		/* The branch's name, from the server's branch
		 * directory; best effort. */
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__BranchListRequest q = HEARTH__BRANCH_LIST_REQUEST__INIT;
		q.directory = 1;
		req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST;
		req.branch_list_request = &q;
		if (session_call(&s, &req, &resp) == 0) {
			if (resp->body_case == HEARTH__ENVELOPE__BODY_BRANCH_LIST)
				for (size_t i = 0; i < resp->branch_list->n_branches; i++)
					if (!strcmp(resp->branch_list->branches[i]->id, p->branch_id))
						snprintf(bname, sizeof(bname), "%s", resp->branch_list->branches[i]->name);
			envelope_free(resp, NULL);
		}
	}
	/* Everything below but the role came from the server: quoted for
	 * JSON, sanitised for people, like any other text it sends. */
	if (json) {
		printf("{\"role\":\"%s\",\"org\":", identity_role_word(p->role));
		out_json_quote(stdout, p->org);
		fputs(",\"branch\":", stdout);
		out_json_quote(stdout, p->branch_id);
		fputs(",\"name\":", stdout);
		out_json_quote(stdout, p->name);
		fputs(",\"fingerprint\":", stdout);
		out_json_quote(stdout, p->fingerprint);
		fputs(",\"server_version\":", stdout);
		out_json_quote(stdout, s.welcome->server_version);
		fputs(",\"branch_name\":", stdout);
		out_json_quote(stdout, bname);
		fputs("}\n", stdout);
	} else {
		printf(_("role:        %s\n"), identity_role_word(p->role));
		fputs(_("org:         "), stdout);
		out_text(stdout, p->org, 0);
		if (p->branch_id[0]) {
			fputs(_("\nbranch:      "), stdout);
			out_text(stdout, p->branch_id, 0);
			if (bname[0]) {
				fputc(' ', stdout);
				out_text(stdout, bname, 0);
			}
		}
		fputs(_("\nname:        "), stdout);
		out_text(stdout, p->name, 0);
		fputs(_("\nfingerprint: "), stdout);
		out_text(stdout, p->fingerprint, 0);
		printf(_("\nserver:      %s (hearth "), c->prof.server);
		out_text(stdout, s.welcome->server_version, 0);
		fputs(")\n", stdout);
	}
	session_close(&s);
	return EXIT_OK;
}

int cmd_ping(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	session s;
	int count = 1, o, rc;

	while ((o = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
		if (o == 'n') {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 10000) {
				cli_error(_("ping: --count \"%s\" is not a number from 1 to 10000"), optarg);
				return EXIT_USAGE;
			}
			count = (int)v;
		} else if (o == 'h') {
			printf(_("usage: hearth ping [--count N]\n\n"
			       "Connects and measures the round-trip time of N pings (default 1).\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	rc = cli_connect(c, &s);
	if (rc != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	for (int i = 0; i < count; i++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
		Hearth__Ping ping = HEARTH__PING__INIT;
		Hearth__Envelope *resp = NULL;
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ping.client_time = session_now_ms();
		req.body_case = HEARTH__ENVELOPE__BODY_PING;
		req.ping = &ping;
		if (session_call(&s, &req, &resp) != 0) {
			cli_error(_("ping: %s"), s.error);
			session_close(&s);
			return EXIT_CONNECT;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (resp->body_case != HEARTH__ENVELOPE__BODY_PONG) {
			cli_error(_("ping: the server answered with %s"), envelope_body_name(resp));
			envelope_free(resp, NULL);
			session_close(&s);
			return EXIT_FAIL;
		}
		envelope_free(resp, NULL);
		printf(_("pong from %s: time=%.3f ms\n"), c->prof.server,
		       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	session_close(&s);
	return EXIT_OK;
}
