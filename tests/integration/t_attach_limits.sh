#!/bin/bash
# The limits on attachments (issue 18 item 5) and their errors: the
# client's 20 MB default refuses a larger file at once; the server's
# [limits] attachment_max_size refuses the change that names a larger one,
# which the replica keeps as a rejected change with the reason, in Chinese
# under zh_CN.
. "$(dirname "$0")/lib.sh"

cat > "$T/hearthd.ini" <<'INI'
[limits]
attachment_max_size = 1M
INI
out=$("$HEARTHD" --config "$T/hearthd.ini" --check-config --data "$T/x" --cert "$CERTS/server.pem" \
	--key "$CERTS/server.key" --ca "$CERTS/ca.pem" --dev 2>&1); rc=$?
expect_eq "a size is a valid setting" 0 "$rc"
printf '[limits]\nattachment_max_size = lots\n' > "$T/bad.ini"
out=$("$HEARTHD" --config "$T/bad.ini" --check-config 2>&1)
expect_contains "a bad size is named" 'attachment_max_size: "lots" is not a size between 1K and 1024G' "$out"

start_server s --config "$T/hearthd.ini"
client a1 branch1 "$PORT_s"
F=$T/files; mkdir -p "$F"
{ printf '\xff\xd8\xff\xe0'; head -c 1500000 /dev/zero; } > "$F/big.jpg"
{ printf '\xff\xd8\xff\xe0'; head -c 600000 /dev/zero; } > "$F/small.jpg"
{ printf '%%PDF-1.4\n'; head -c 21000000 /dev/zero; } > "$F/huge.pdf"

mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
out=$(h a1 member attach "$mid" "$F/huge.pdf" 2>&1); rc=$?
expect_eq "a file above 20 MB is refused at once (exit 2)" 2 "$rc"
expect_contains "with the limit" "huge.pdf is larger than 20 MB, the most one attachment may be" "$out"
[ -z "$(ls -A "$T/home.a1/replica/content" 2>/dev/null)" ] && pass "no copy is left behind" || fail "a refused file left a copy"
out=$(LC_ALL=zh_CN.UTF-8 h a1 member attach "$mid" "$F/huge.pdf" 2>&1)
expect_contains "in Chinese under zh_CN" "huge.pdf 超过 20 MB，这是单个附件的上限" "$out"

h a1 member attach "$mid" "$F/small.jpg" >/dev/null
expect_eq "an attachment under the server's limit syncs" 0 "$(h a1 sync >/dev/null 2>&1; echo $?)"
h a1 member attach "$mid" "$F/big.jpg" >/dev/null
h a1 sync >"$T/s.out" 2>&1; rc=$?
expect_eq "one above the server's limit is rejected (exit 1)" 1 "$rc"
rj=$(h a1 rejected --json 2>&1)
expect_contains "the reason names the file and the limit" "attachments[2]: big.jpg is 1465 KB, above this server's limit of 1024 KB for one attachment" "$rj"
# The table cuts long reasons to its column; its start is in Chinese.
rj=$(LC_ALL=zh_CN.UTF-8 h a1 rejected 2>&1)
expect_contains "in Chinese under zh_CN" "附件[2]：big.jpg 为 1465 KB，" "$rj"
expect_contains "the record keeps the accepted one on the server" "small.jpg" "$(h a1 member attachments "$mid")"
finish
