#!/bin/bash
# Attachment content on the wire (issue 18 slice 2): chunks are taken in
# order and only when their hash matches; a file exists only for a
# principal who may see a record naming it (another branch's hash and a
# hash nobody has give the same ERR_NOT_FOUND); a file another branch holds
# is not offered to this one (dedup within a branch's scope); a download
# of an unfinished file says how far it got; upload and download are
# audited. Spoken by tests/tools/chunkop, a protocol-level client.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client b1 branch2 "$P"
op() { local who=$1; shift; "$HEARTH_TOOLS/chunkop" --port "$P" --cert "$CERTS/$who.pem" --key "$CERTS/$who.key" --ca "$CERTS/ca.pem" "$@"; }

F=$T/files; mkdir -p "$F"
# Three chunks: two whole ones and 100,000 bytes.
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c $((2 * 262144 + 100000 - 11)) /dev/urandom; } > "$F/photo.jpg"
sha=$(sha256sum "$F/photo.jpg" | cut -d' ' -f1)
c0=$(head -c 262144 "$F/photo.jpg" | sha256sum | cut -d' ' -f1)
nobody=$(printf 'nobody has this' | sha256sum | cut -d' ' -f1)

mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
h a1 member attach "$mid" "$F/photo.jpg" >/dev/null
h a1 sync --no-content >/dev/null
expect_contains "the branch's file is known by its metadata" "state size=624288 chunks=3 have=0 complete=0" \
	"$(op branch1 query "$sha")"

# --- scope: another branch's hash is the same as no hash at all
want="error code=ERR_NOT_FOUND field=file_sha256 message=no record this certificate may see has an attachment with SHA-256"
expect_eq "another branch's hash: not found" "$want $sha" "$(op branch2 query "$sha")"
expect_eq "a hash nobody has: the same answer" "$want $nobody" "$(op branch2 query "$nobody")"
expect_eq "another branch cannot download it" "$want $sha" "$(op branch2 get "$sha" 0)"
expect_eq "nor upload to it" "$want $sha" "$(op branch2 put "$sha" "$F/photo.jpg" 0 1)"

# --- bad input
expect_eq "a chunk whose hash does not match is refused" \
	"error code=ERR_INVALID field=chunk_sha256 message=chunk 0: its bytes do not match its chunk_sha256; nothing was stored" \
	"$(op branch1 --bad-hash put "$sha" "$F/photo.jpg" 0 1)"
expect_eq "chunks come in order" \
	"error code=ERR_INVALID field=index message=chunk 1 of photo.jpg was sent before chunk 0; send chunk 0 next" \
	"$(op branch1 put "$sha" "$F/photo.jpg" 1 2)"
expect_eq "nothing was stored by either" "state size=624288 chunks=3 have=0 complete=0" "$(op branch1 query "$sha")"

# --- a part: resumable, not yet downloadable
expect_eq "the first chunk is confirmed" "state size=624288 chunks=3 have=1 complete=0" \
	"$(op branch1 put "$sha" "$F/photo.jpg" 0 1)"
expect_eq "sent again, it changes nothing" "state size=624288 chunks=3 have=1 complete=0" \
	"$(op branch1 put "$sha" "$F/photo.jpg" 0 1)"
expect_eq "a download says how far the upload got" \
	"error code=ERR_CONFLICT field=file_sha256 message=photo.jpg is not yet uploaded: the server holds 1 of its 3 chunks" \
	"$(op branch1 get "$sha" 0)"
out=$(op branch1 put "$sha" "$F/photo.jpg" 1 3)
expect_contains "the rest completes the file" "state size=624288 chunks=3 have=3 complete=1" "$out"
expect_eq "a chunk downloads as it was sent" "data index=0 len=262144 sha256=$c0" "$(op branch1 get "$sha" 0)"
expect_contains "the last chunk is short" "data index=2 len=100000" "$(op branch1 get "$sha" 2)"
expect_contains "past the end is refused" "error code=ERR_INVALID field=index message=chunk 3 of photo.jpg is past its end: the file has 3 chunks" \
	"$(op branch1 get "$sha" 3)"
expect_contains "an admin may fetch any branch's" "data index=0 len=262144 sha256=$c0" "$(op admin get "$sha" 0)"
expect_eq "still not another branch" "$want $sha" "$(op branch2 get "$sha" 0)"
# A client that asks for megabytes and hangs up without reading: the
# server's writes meet a closed socket (EPIPE), which must close that
# connection only (SIGPIPE killed hearthd before).
op branch1 flood "$sha" 40 >/dev/null
sleep 0.3
expect_contains "a client gone mid-answer leaves the server up" "complete=1" "$(op branch1 query "$sha")"

# --- dedup within a branch's scope only: branch2 naming the same bytes is
# told nothing of branch1's copy and uploads its own.
mid2=$(h b1 member add --name 王芳 --gender 女 --join-date 2003-07-01 --category 正式)
h b1 member attach "$mid2" "$F/photo.jpg" >/dev/null
h b1 sync --no-content >/dev/null
expect_eq "another branch's copy is not offered" "state size=624288 chunks=3 have=0 complete=0" "$(op branch2 query "$sha")"
expect_contains "it cannot download before its own upload" "not yet uploaded: the server holds 0 of its 3 chunks" "$(op branch2 get "$sha" 0)"

# --- the type is checked by content on the server too: metadata that says
# JPEG for bytes that are a PDF (a client that lies) is refused.
{ printf '\xff\xd8\xff\xe0'; head -c 5000 /dev/urandom; } > "$F/liar.jpg"
lsha=$(sha256sum "$F/liar.jpg" | cut -d' ' -f1)
h a1 member attach "$mid" "$F/liar.jpg" >/dev/null
h a1 sync --no-content >/dev/null
# PDF bytes sent under the JPEG's hash: the whole file's hash could not
# match either, but the type is caught first, at chunk 0.
{ printf '%%PDF-1.4\n'; head -c 4995 /dev/urandom; } > "$F/liar-bytes"
expect_contains "bytes of another type are refused" \
	"error code=ERR_INVALID field=type message=the content of liar.jpg is not of its type image/jpeg (its bytes are application/pdf); the upload was refused" \
	"$(op branch1 put "$lsha" "$F/liar-bytes" 0 1)"

expect_eq "a chunk of the wrong length is refused" \
	"error code=ERR_INVALID field=data message=chunk 0 of liar.jpg is 262144 bytes; it must be 5004 bytes" \
	"$(op branch1 put "$lsha" "$F/photo.jpg" 0 1)"
expect_eq "a hash that is not 32 bytes is refused" \
	"error code=ERR_INVALID field=file_sha256 message=file_sha256 must be 32 bytes" \
	"$(op branch1 --short-hash query "$lsha")"
expect_eq "in an upload too" \
	"error code=ERR_INVALID field=file_sha256 message=file_sha256 and chunk_sha256 must be 32 bytes" \
	"$(op branch1 --short-hash put "$lsha" "$F/liar.jpg" 0 1)"
expect_eq "an auditor may not upload" \
	"error code=ERR_FORBIDDEN field=role message=auditors may read and review but not write; push refused" \
	"$(op auditor put "$lsha" "$F/liar.jpg" 0 1)"

# --- a file whose chunks do not make up its hash is dropped whole
{ printf '\xff\xd8\xff\xe0'; head -c 5000 /dev/urandom; } > "$F/other.jpg"
expect_contains "chunks that are not the file are refused" \
	"error code=ERR_INVALID field=file_sha256 message=the chunks sent for liar.jpg do not make up a file with its SHA-256" \
	"$(op branch1 put "$lsha" "$F/other.jpg" 0 1)"
expect_eq "and nothing of them is kept" "state size=5004 chunks=1 have=0 complete=0" "$(op branch1 query "$lsha")"

# --- audit: an upload and a download each have their entry
log=$(h a1 audit log --action attachment.upload 2>&1)
expect_contains "the upload is audited" "attachment.upload" "$log"
log=$(h a1 audit log --action attachment.download 2>&1)
expect_contains "the download is audited" "attachment.download" "$log"
finish
