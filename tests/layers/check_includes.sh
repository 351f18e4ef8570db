#!/bin/sh
# check_includes.sh: checks the #include "…" lines of hearth's own sources
# against DESIGN §2: every include is written from the repository root and
# names a file that exists, each layer includes only the layers below it,
# and no module (a .c with its .h) reaches itself through includes (no
# cycle, within a folder or across folders).
#
# Usage: tests/layers/check_includes.sh [SRCDIR]
# Exit status: 0 when all holds; 1 with one line per problem otherwise.
# Written in POSIX sh and awk so that it needs nothing beyond a base system.
set -eu
SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$SRC"

# The allowed directions: a file in the layer on the left may include files
# of the layers on the right (its own layer always). proto/ is generated
# code every layer may see.
RULES='
common: proto
server/db: common proto
server/loop: common proto
server/api: server/db server/loop common proto
server: server/db server/loop server/api common proto
client/core: common proto
client/ui: client/core common proto
client/cmd: client/ui client/core common proto
client: client/cmd client/ui client/core common proto
'

find common server client -type f \( -name '*.c' -o -name '*.h' \) | sort |
while IFS= read -r f; do
	# One line per include: "file<TAB>included path" (quoted includes only;
	# <…> are system headers).
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
	while IFS= read -r inc; do
		printf '%s\t%s\n' "$f" "$inc"
	done
done | awk -F '\t' -v rules="$RULES" '
function layer_of(path,    n, parts) {
	n = split(path, parts, "/")
	if (parts[1] == "common" || parts[1] == "proto") return parts[1]
	if (n >= 3 && (parts[2] == "db" || parts[2] == "loop" || parts[2] == "api" ||
	               parts[2] == "core" || parts[2] == "ui" || parts[2] == "cmd"))
		return parts[1] "/" parts[2]
	return parts[1]
}
function exists(path,    line, r) {
	if (path in seen_file) return seen_file[path]
	r = (getline line < path) >= 0
	if (r) close(path)
	seen_file[path] = r
	return r
}
BEGIN {
	nr = split(rules, rl, "\n")
	for (i = 1; i <= nr; i++) {
		if (rl[i] == "") continue
		split(rl[i], kv, ": ")
		allowed[kv[1] SUBSEP kv[1]] = 1
		m = split(kv[2], ls, " ")
		for (j = 1; j <= m; j++) allowed[kv[1] SUBSEP ls[j]] = 1
	}
	bad = 0
}
{
	from = $1; to = $2
	if (to ~ /^proto\//) next          # generated in the build tree
	if (!exists(to)) {
		printf "%s: #include \"%s\" is not a path from the repository root\n", from, to
		bad = 1; next
	}
	lf = layer_of(from); lt = layer_of(to)
	if (!((lf SUBSEP lt) in allowed)) {
		printf "%s: includes %s: %s may not include %s (DESIGN §2)\n", from, to, lf, lt
		bad = 1
	}
	# A module is a .c with its .h: x.c including y.h while y.c includes
	# x.h is a cycle even though no header includes itself.
	mf = from; sub(/\.[ch]$/, "", mf)
	mt = to; sub(/\.[ch]$/, "", mt)
	if (mf == mt) next
	edges[mf] = edges[mf] " " mt
	nodes[mf] = 1; nodes[mt] = 1
}
# Depth-first search with colours: meeting a node that is still on the
# stack (grey) closes a cycle, printed from that node round to itself.
function visit(n,    k, m, targets, i, cyc) {
	colour[n] = 1
	stack[++depth] = n
	m = split(edges[n], targets, " ")
	for (k = 1; k <= m; k++) {
		if (colour[targets[k]] == 1) {
			cyc = targets[k]
			for (i = depth; i >= 1 && stack[i] != targets[k]; i--)
				cyc = stack[i] " -> " cyc
			printf "include cycle: %s -> %s\n", targets[k], cyc
			bad = 1
		} else if (colour[targets[k]] == 0) {
			visit(targets[k])
		}
	}
	depth--
	colour[n] = 2
}
END {
	for (n in nodes) if (colour[n] == 0) visit(n)
	exit bad
}'
