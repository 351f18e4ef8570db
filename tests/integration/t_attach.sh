#!/bin/bash
# Attachments on records (issue 18): attach, list, detach and get on one
# replica; types told by content, not by name; the metadata syncs to a
# second replica of the branch as an ordinary field, and the revision
# history keeps it after a detach.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"

# Files of every kind hearth keeps, and some it refuses.
F=$T/files; mkdir -p "$F"
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c 300000 /dev/urandom; } > "$F/visit.jpg"
{ printf '\x89PNG\r\n\x1a\n'; head -c 5000 /dev/urandom; } > "$F/sheet.png"
{ printf '%%PDF-1.4\n'; head -c 5000 /dev/urandom; } > "$F/cert.pdf"
{ printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'; head -c 5000 /dev/urandom; } > "$F/letter.doc"
cp "$F/letter.doc" "$F/letter.bin"
python3 - "$F" <<'PY'
import sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(d + "/report.docx", "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("word/document.xml", "<w:document/>")
with zipfile.ZipFile(d + "/plain.zip", "w") as z:
    z.writestr("a.txt", "hello")
PY
echo "just text" > "$F/notes.txt"
cp "$F/notes.txt" "$F/fake.jpg"
: > "$F/empty.png"

mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
vid=$(h a1 visit add --members "$mid" --occasion 春节 --date 2026-01-20 --visitors 张书记)

# --- attach: every allowed type, told by its bytes
out=$(h a1 visit attach "$vid" "$F/visit.jpg" --note 走访照片 2>&1)
expect_contains "attach a JPEG" "attached visit.jpg to $vid (JPEG, 293.0 KB)" "$out"
for f in sheet.png cert.pdf letter.doc report.docx; do
	h a1 visit attach "$vid" "$F/$f" >/dev/null 2>"$T/err" || fail "attach $f: $(cat "$T/err")"
done
list=$(h a1 visit attachments "$vid")
for w in PNG PDF Word 走访照片 "on this machine"; do expect_contains "the list shows $w" "$w" "$list"; done
js=$(h a1 visit attachments "$vid" --json)
sha=$(sha256sum "$F/visit.jpg" | cut -d' ' -f1)
expect_contains "the JSON gives the SHA-256" "\"name\":\"visit.jpg\",\"type\":\"image/jpeg\",\"size\":300011,\"sha256\":\"$sha\"" "$js"
expect_contains "and who added it" '"added_by":"' "$js"

# --- refusals, each with its reason
out=$(h a1 visit attach "$vid" "$F/fake.jpg" 2>&1); rc=$?
expect_eq "a text file named .jpg is refused (exit 2)" 2 "$rc"
expect_contains "by its content" "fake.jpg is not a JPEG, PNG, PDF or office document (Word, Excel, PowerPoint); its type is told by its content, not its name" "$out"
out=$(h a1 visit attach "$vid" "$F/plain.zip" 2>&1)
expect_contains "a zip that is no office document is refused" "plain.zip is not a JPEG" "$out"
out=$(h a1 visit attach "$vid" "$F/letter.bin" 2>&1)
expect_contains "an OLE file without an office extension is refused" "letter.bin is not a JPEG" "$out"
out=$(h a1 visit attach "$vid" "$F/empty.png" 2>&1)
expect_contains "an empty file is refused" "empty.png is empty; an attachment needs content" "$out"
out=$(h a1 visit attach "$vid" "$F/visit.jpg" 2>&1)
expect_contains "a second file of the same name is refused" "already has an attachment named visit.jpg; detach it first or rename the file" "$out"
out=$(h a1 visit attach "$vid" "$F/missing.pdf" 2>&1); rc=$?
expect_eq "a missing file fails (exit 1)" 1 "$rc"
expect_contains "naming the file" "cannot read $F/missing.pdf: No such file or directory" "$out"
out=$(h a1 visit attach "$vid" 2>&1)
expect_contains "attach needs a file" "give the file to attach: hearth visit attach ID FILE" "$out"

# --- get, by name and by hash prefix: byte-identical
out=$(h a1 attachment get visit.jpg --to "$T/got.jpg" 2>&1)
expect_contains "get by name" "wrote visit.jpg to $T/got.jpg" "$out"
cmp -s "$F/visit.jpg" "$T/got.jpg" && pass "got the same bytes" || fail "get wrote other bytes"
h a1 attachment get "${sha:0:10}" --to "$T/got2.jpg" >/dev/null 2>&1
cmp -s "$F/visit.jpg" "$T/got2.jpg" && pass "get by hash prefix" || fail "get by hash prefix"
out=$(h a1 attachment get nothing.pdf --to "$T/x" 2>&1); rc=$?
expect_eq "an unknown name (exit 2)" 2 "$rc"
expect_contains "says so" "no attachment on this replica has the hash or name nothing.pdf" "$out"
# A stored copy that no longer matches its hash is never written out.
store=$T/home.a1/replica/content
pdfsha=$(sha256sum "$F/cert.pdf" | cut -d' ' -f1)
printf 'X' | dd of="$store/$pdfsha" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$(h a1 attachment get cert.pdf --to "$T/bad.pdf" 2>&1); rc=$?
expect_eq "a damaged copy fails (exit 1)" 1 "$rc"
expect_contains "naming the check" "the stored copy of cert.pdf does not match its SHA-256; nothing was written" "$out"
[ ! -e "$T/bad.pdf" ] && [ ! -e "$T/bad.pdf.part" ] && pass "nothing written" || fail "a damaged copy was written"
cp "$F/cert.pdf" "$store/$pdfsha"

# --- the metadata syncs to the other replica of the branch
expect_eq "a1 syncs" 0 "$(h a1 sync >/dev/null 2>&1; echo $?)"
expect_eq "a2 syncs" 0 "$(h a2 sync >/dev/null 2>&1; echo $?)"
js2=$(h a2 visit attachments "$vid" --json)
expect_contains "a2 sees the attachment with its hash" "\"sha256\":\"$sha\"" "$js2"
expect_contains "a2 does not hold its content" '"local":false' "$js2"

# --- detach: an ordinary edit; the history keeps name and hash
out=$(h a1 visit detach "$vid" sheet.png 2>&1)
expect_contains "detach" "detached sheet.png from $vid" "$out"
out=$(h a1 visit detach "$vid" sheet.png 2>&1); rc=$?
expect_eq "detaching it again (exit 2)" 2 "$rc"
expect_contains "says it is not there" "has no attachment named sheet.png" "$out"
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
expect_not_contains "a2 no longer lists it" "sheet.png" "$(h a2 visit attachments "$vid")"
hist=$(h a1 history "$vid" 2>&1)
expect_contains "the history names the attachment field" "附件" "$hist"
expect_contains "an attach is its own audit action" "record.attach  rev 1 → 2" "$hist"
expect_contains "and so is a detach" "record.detach  rev 6 → 7" "$hist"

expect_contains "the history shows the attachment by name and hash" "cert.pdf (${pdfsha:0:12})" "$hist"
expect_contains "show lists the attachments" "visit.jpg  JPEG 293.0 KB" "$(h a1 visit show "$vid")"

# --- two replicas attach to one record at once: both kept, no conflict
h a1 visit attach "$vid" "$F/sheet.png" >/dev/null
cp "$F/cert.pdf" "$F/receipt.pdf"; printf 'more' >> "$F/receipt.pdf"
h a2 visit attach "$vid" "$F/receipt.pdf" >/dev/null
h a1 sync >/dev/null 2>&1
out=$(h a2 sync 2>&1); rc=$?
expect_eq "the second attach merges (exit 0)" 0 "$rc"
expect_contains "as a merge" "merged 1" "$out"
h a1 sync >/dev/null 2>&1
for r in a1 a2; do
	l=$(h $r visit attachments "$vid")
	expect_contains "$r has a1's file" "sheet.png" "$l"
	expect_contains "$r has a2's file" "receipt.pdf" "$l"
done
expect_eq "no conflict" "[]" "$(h a1 conflicts --json)"

out=$(h a1 member attachments "$mid")
expect_eq "a record without attachments" "no attachments" "$out"

# --- storage duties: the metadata is in the records and the content in
# the store's chunks, so the store's checks, the audit chain and a backup
# cover both
out=$("$HEARTHD" check --data "$T/s.data" 2>&1); rc=$?
expect_eq "hearthd check passes on a store with attachments (exit 0)" 0 "$rc"
out=$("$HEARTHD" --verify-audit --data "$T/s.data" --audit-key "$CERTS/audit-ed25519.key" 2>&1); rc=$?
expect_eq "hearthd --verify-audit passes" 0 "$rc"
out=$("$HEARTHD" backup --data "$T/s.data" --to "$T/backup.mdb" 2>&1); rc=$?
expect_eq "backup exits 0" 0 "$rc"
out=$("$HEARTHD" restore --from "$T/backup.mdb" --data "$T/r.data" 2>&1); rc=$?
expect_eq "restore exits 0" 0 "$rc"
[ -e "$T/s.data/audit_secret" ] && cp -p "$T/s.data/audit_secret" "$T/r.data/"
start_server r
client a3 branch1 "$PORT_r"
h a3 sync >/dev/null 2>&1
js3=$(h a3 visit attachments "$vid" --json)
expect_contains "the restored server gives a new replica the attachment and its hash" "\"name\":\"visit.jpg\",\"type\":\"image/jpeg\",\"size\":300011,\"sha256\":\"$sha\"" "$js3"
expect_contains "and its note" '"note":"走访照片"' "$js3"
# The content is in the store's env (server/db/chunks.h): the backup holds
# it, and the restored server serves it.
h a3 attachment get visit.jpg --to "$T/restored.jpg" >/dev/null 2>&1
cmp -s "$F/visit.jpg" "$T/restored.jpg" && pass "the restored server serves the content byte-identical" \
	|| fail "the content did not survive backup and restore"
out=$("$HEARTHD" check --data "$T/r.data" 2>&1)
expect_contains "and hearthd check reads its chunks" "check: attachment content reads back (" "$out"
finish
