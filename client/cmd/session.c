/* session.c: the commands about the connection itself: init, whoami, ping. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd/session.h"
#include "common/hearth.h"
#include "client/cmd/witness.h"

static const char *role_name(Hearth__Role r)
{
	switch (r) {
	case HEARTH__ROLE__ROLE_BRANCH: return "branch";
	case HEARTH__ROLE__ROLE_ADMIN: return "admin";
	case HEARTH__ROLE__ROLE_AUDITOR: return "auditor";
	default: return "unknown";
	}
}

static int absolute(const char *flag, const char *in, char *out, size_t len)
{
	char buf[PATH_MAX];
	if (!realpath(in, buf)) {
		cli_error("%s %s: cannot read it: %m", flag, in);
		return -1;
	}
	if (access(buf, R_OK) != 0) {
		cli_error("%s %s: not readable: %m", flag, in);
		return -1;
	}
	if (strlen(buf) >= len) {
		cli_error("%s %s: path too long", flag, in);
		return -1;
	}
	snprintf(out, len, "%s", buf);
	return 0;
}

int cmd_init(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },
		{ "audit-key", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL, *cert = NULL, *key = NULL, *ca = NULL, *audit_key = NULL;
	profile p;
	char err[1200];
	int o;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 's': server = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'A': audit_key = optarg; break;
		case 'h':
			printf("usage: hearth init --server HOST:PORT --cert FILE --key FILE --ca FILE\n"
			       "                   [--audit-key FILE.pub]\n\n"
			       "Stores a client profile under $HEARTH_HOME (default ~/.hearth; --home DIR\n"
			       "overrides): which server to use and which certificate, key and committee CA.\n"
			       "The files stay where they are; the profile records their absolute paths.\n"
			       "--audit-key names the server's audit public key (PEM, Ed25519): the audit\n"
			       "checkpoints must be signed by it. Without it the replica trusts the key\n"
			       "the server presents at the first sync and refuses any other later.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("init: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (!server || !cert || !key || !ca) {
		cli_error("init: --server, --cert, --key and --ca are all required; see 'hearth init --help'");
		return EXIT_USAGE;
	}
	profile_home(&p, c->home_opt);
	if (profile_set_server(&p, server) != 0) {
		cli_error("init: --server \"%s\" is not HOST:PORT (e.g. 127.0.0.1:7443)", server);
		return EXIT_USAGE;
	}
	if (absolute("--cert", cert, p.cert, sizeof(p.cert)) || absolute("--key", key, p.key, sizeof(p.key)) ||
	    absolute("--ca", ca, p.ca, sizeof(p.ca)) ||
	    (audit_key && absolute("--audit-key", audit_key, p.audit_key, sizeof(p.audit_key))))
		return EXIT_USAGE;
	if (audit_key) {
		uint8_t raw[AUDIT_KEY_LEN];
		if (witness_load_pubkey(p.audit_key, raw, err, sizeof(err)) != 0) {
			cli_error("init: --audit-key: %s", err);
			return EXIT_USAGE;
		}
	}
	if (profile_save(&p, err, sizeof(err)) != 0) {
		cli_error("init: %s", err);
		return EXIT_FAIL;
	}
	printf("profile saved in %s/profile.ini (server %s)\n", p.home, p.server);
	printf("next: hearth%s%s whoami\n", c->home_opt ? " --home " : "", c->home_opt ? c->home_opt : "");
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

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf("usage: hearth whoami [--json]\n\n"
			       "Connects and prints who the server sees: role, organisation, branch,\n"
			       "name (certificate CN) and certificate fingerprint (SHA-256, lower-case hex,\n"
			       "as 'openssl x509 -fingerprint -sha256' prints it without colons).\n");
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
	if (json) {
		printf("{\"role\":\"%s\",\"org\":\"%s\",\"branch\":\"%s\",\"name\":\"%s\","
		       "\"fingerprint\":\"%s\",\"server_version\":\"%s\"}\n",
		       role_name(p->role), p->org, p->branch_id, p->name, p->fingerprint,
		       s.welcome->server_version);
	} else {
		printf("role:        %s\n", role_name(p->role));
		printf("org:         %s\n", p->org);
		if (p->branch_id[0])
			printf("branch:      %s\n", p->branch_id);
		printf("name:        %s\n", p->name);
		printf("fingerprint: %s\n", p->fingerprint);
		printf("server:      %s (hearth %s)\n", c->prof.server, s.welcome->server_version);
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
				cli_error("ping: --count \"%s\" is not a number from 1 to 10000", optarg);
				return EXIT_USAGE;
			}
			count = (int)v;
		} else if (o == 'h') {
			printf("usage: hearth ping [--count N]\n\n"
			       "Connects and measures the round-trip time of N pings (default 1).\n");
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
			cli_error("ping: %s", s.error);
			session_close(&s);
			return EXIT_CONNECT;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (resp->body_case != HEARTH__ENVELOPE__BODY_PONG) {
			cli_error("ping: the server answered with %s", envelope_body_name(resp));
			envelope_free(resp, NULL);
			session_close(&s);
			return EXIT_FAIL;
		}
		envelope_free(resp, NULL);
		printf("pong from %s: time=%.3f ms\n", c->prof.server,
		       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	session_close(&s);
	return EXIT_OK;
}
