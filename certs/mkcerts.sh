#!/usr/bin/env bash
# mkcerts.sh: makes hearth's development PKI (committee CA, server and
# operator certificates, negative-test certificates, audit signing key).
#
# Usage: certs/mkcerts.sh [DIR]      (default: certs/dev next to this script)
#
# Idempotent: only missing files are made.  A certificate/key pair is remade
# when either half is missing; when a CA is remade, every certificate it
# signed is remade too, because the old ones would no longer chain to it.
# Every file is written in a temporary directory inside DIR and renamed into
# place, so an interrupted run never leaves half a file behind.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-$here/dev}
ORG=demo
CA_DAYS=3650
LEAF_DAYS=825

command -v openssl >/dev/null || { echo "mkcerts: openssl not found in PATH" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# Pairs this script makes, in dependency order: "name signer" where signer is
# the CA pair that signs it ("self" for a root, "-" for a non-certificate).
pairs=(
	"ca self"
	"server ca"
	"branch1 ca"
	"branch2 ca"
	"general1 ca"
	"admin ca"
	"auditor ca"
	"expired ca"
	"nouri ca"
	"otherorg ca"
	"revoked ca"
	"foreign-ca self"
	"foreign foreign-ca"
)

pair_complete() {
	[[ -s "$dir/$1.pem" && -s "$dir/$1.key" ]]
}

all_complete() {
	local p
	for p in "${pairs[@]}"; do
		pair_complete "${p%% *}" || return 1
	done
	[[ -s "$dir/crl.pem" && -s "$dir/audit-ed25519.key" && -s "$dir/audit-ed25519.pub" ]]
}

if all_complete; then
	echo "mkcerts: all files already present in $dir; nothing to do"
	exit 0
fi

umask 077
tmp=$(mktemp -d "$dir/.mkcerts.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# One configuration for every profile.  string_mask utf8only makes the CN a
# UTF8String, so names such as 张三 survive byte for byte.
cat >"$tmp/openssl.cnf" <<EOF
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no
[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_server ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[ v3_client ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectAltName         = URI:\${ENV::HEARTH_URI}
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[ v3_client_nouri ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

# Used only by "openssl ca" (expired certificate, revocation, CRL).
[ ca ]
default_ca = hearth_ca
[ hearth_ca ]
dir              = $tmp/cadb
database         = \$dir/index.txt
new_certs_dir    = \$dir/new
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_crl_days = $CA_DAYS
policy           = policy_cn
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
string_mask      = utf8only
utf8             = yes
[ policy_cn ]
commonName = supplied
EOF
export OPENSSL_CONF="$tmp/openssl.cnf"
export HEARTH_URI=unused

made=()   # pairs remade in this run; their dependants must be remade too

# Runs a command quietly; on failure shows what it said and stops the script.
run() {
	if ! "$@" >"$tmp/log" 2>&1; then
		echo "mkcerts: failed: $*" >&2
		cat "$tmp/log" >&2
		exit 1
	fi
}

newkey() {
	run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1"
}

serial() {
	echo "0x$(openssl rand -hex 16)"
}

# Installs tmp/$1.key then tmp/$1.pem; the .pem goes last so that its
# presence means the pair is whole.
install_pair() {
	chmod 0600 "$tmp/$1.key"
	chmod 0644 "$tmp/$1.pem"
	mv -f "$tmp/$1.key" "$dir/$1.key"
	echo "made $dir/$1.key"
	mv -f "$tmp/$1.pem" "$dir/$1.pem"
	echo "made $dir/$1.pem"
}

# make_root NAME "CN"
make_root() {
	newkey "$tmp/$1.key"
	run openssl req -new -x509 -utf8 -config "$OPENSSL_CONF" -key "$tmp/$1.key" \
		-subj "/O=hearth dev/CN=$2" -days $CA_DAYS -sha256 -set_serial "$(serial)" \
		-extensions v3_ca -out "$tmp/$1.pem"
}

# make_leaf NAME SIGNER "CN" EXTSECTION [URI]
make_leaf() {
	local name=$1 signer=$2 cn=$3 ext=$4 uri=${5:-unused}
	newkey "$tmp/$name.key"
	run openssl req -new -utf8 -config "$OPENSSL_CONF" -key "$tmp/$name.key" \
		-subj "/CN=$cn" -out "$tmp/$name.csr"
	run env HEARTH_URI=$uri openssl x509 -req -in "$tmp/$name.csr" \
		-CA "$dir/$signer.pem" -CAkey "$dir/$signer.key" -set_serial "$(serial)" \
		-days $LEAF_DAYS -sha256 -extfile "$OPENSSL_CONF" -extensions "$ext" \
		-out "$tmp/$name.pem"
	rm -f "$tmp/$name.csr"
}

# A scratch "openssl ca" database for the committee CA.  It lives only for
# this run: it is what lets us set dates in the past (x509 -req cannot in
# OpenSSL 3.0, and faketime is not assumed) and produce a CRL.
ca_db() {
	if [[ ! -d "$tmp/cadb" ]]; then
		mkdir -p "$tmp/cadb/new"
		: >"$tmp/cadb/index.txt"
		openssl rand -hex 16 >"$tmp/cadb/serial"
		echo 01 >"$tmp/cadb/crlnumber"
	fi
}

# ca_sign NAME "CN" URI STARTDATE ENDDATE
ca_sign() {
	local name=$1 cn=$2 uri=$3
	ca_db
	newkey "$tmp/$name.key"
	run openssl req -new -utf8 -config "$OPENSSL_CONF" -key "$tmp/$name.key" \
		-subj "/CN=$cn" -out "$tmp/$name.csr"
	run env HEARTH_URI=$uri openssl ca -batch -notext -utf8 -config "$OPENSSL_CONF" \
		-cert "$dir/ca.pem" -keyfile "$dir/ca.key" \
		-startdate "$4" -enddate "$5" -extensions v3_client \
		-in "$tmp/$name.csr" -out "$tmp/$name.pem"
	rm -f "$tmp/$name.csr"
}

needs() {
	# A pair is (re)made when incomplete or when its signer was remade now.
	local name=$1 signer=$2 m
	pair_complete "$name" || return 0
	for m in "${made[@]}"; do
		[[ "$m" == "$signer" ]] && return 0
	done
	return 1
}

for p in "${pairs[@]}"; do
	name=${p%% *}
	signer=${p##* }
	needs "$name" "$signer" || continue
	case $name in
	ca)         make_root ca "hearth dev committee CA" ;;
	foreign-ca) make_root foreign-ca "hearth foreign CA (not trusted)" ;;
	server)     make_leaf server ca localhost v3_server ;;
	branch1)    make_leaf branch1 ca "张三" v3_client "hearth://$ORG/branch/b001" ;;
	branch2)    make_leaf branch2 ca "李四" v3_client "hearth://$ORG/branch/b002" ;;
	general1)   make_leaf general1 ca "周八" v3_client "hearth://$ORG/general/g01" ;;
	admin)      make_leaf admin ca "王五" v3_client "hearth://$ORG/admin" ;;
	auditor)    make_leaf auditor ca "赵六" v3_client "hearth://$ORG/auditor" ;;
	nouri)      make_leaf nouri ca "无名" v3_client_nouri ;;
	otherorg)   make_leaf otherorg ca "他人" v3_client "hearth://elsewhere/branch/b001" ;;
	foreign)    make_leaf foreign foreign-ca "外人" v3_client "hearth://$ORG/branch/b001" ;;
	expired)    ca_sign expired "过期" "hearth://$ORG/branch/b001" \
			20200101000000Z 20210101000000Z ;;
	revoked)    ca_sign revoked "吊销" "hearth://$ORG/branch/b001" \
			"$(date -u +%Y%m%d%H%M%SZ)" \
			"$(date -u -d "+$LEAF_DAYS days" +%Y%m%d%H%M%SZ)" ;;
	esac
	install_pair "$name"
	made+=("$name")
done

# The CRL names revoked.pem.  It is remade whenever the committee CA or
# revoked.pem was remade (the scratch database then knows revoked.pem).
if [[ ! -s "$dir/crl.pem" || " ${made[*]} " == *" ca "* || " ${made[*]} " == *" revoked "* ]]; then
	ca_db
	if [[ " ${made[*]} " != *" revoked "* ]]; then
		# revoked.pem predates this run: register it so it can be revoked.
		run openssl ca -batch -config "$OPENSSL_CONF" -cert "$dir/ca.pem" -keyfile "$dir/ca.key" \
			-valid "$dir/revoked.pem"
	fi
	run openssl ca -batch -config "$OPENSSL_CONF" -cert "$dir/ca.pem" -keyfile "$dir/ca.key" \
		-revoke "$dir/revoked.pem" -crl_reason keyCompromise
	run openssl ca -batch -config "$OPENSSL_CONF" -cert "$dir/ca.pem" -keyfile "$dir/ca.key" \
		-gencrl -out "$tmp/crl.pem"
	chmod 0644 "$tmp/crl.pem"
	mv -f "$tmp/crl.pem" "$dir/crl.pem"
	echo "made $dir/crl.pem"
fi

# Audit checkpoint signing key (Ed25519); the .pub is what auditors pin.
if [[ ! -s "$dir/audit-ed25519.key" || ! -s "$dir/audit-ed25519.pub" ]]; then
	run openssl genpkey -algorithm ed25519 -out "$tmp/audit-ed25519.key"
	run openssl pkey -in "$tmp/audit-ed25519.key" -pubout -out "$tmp/audit-ed25519.pub"
	chmod 0600 "$tmp/audit-ed25519.key"
	chmod 0644 "$tmp/audit-ed25519.pub"
	mv -f "$tmp/audit-ed25519.key" "$dir/audit-ed25519.key"
	echo "made $dir/audit-ed25519.key"
	mv -f "$tmp/audit-ed25519.pub" "$dir/audit-ed25519.pub"
	echo "made $dir/audit-ed25519.pub"
fi

# Audit secret: keys the digests of sensitive values in audit entries
# (HMAC-SHA-256). hearthd reads audit_secret beside the audit key; it never
# leaves the server. Back it up with the audit key.
if [[ ! -s "$dir/audit_secret" ]]; then
	run openssl rand -out "$tmp/audit_secret" 32
	chmod 0600 "$tmp/audit_secret"
	mv -f "$tmp/audit_secret" "$dir/audit_secret"
	echo "made $dir/audit_secret"
fi
