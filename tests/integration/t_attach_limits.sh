#!/bin/bash
# The limits on attachments (issue 18 item 5) and their errors: the
# client's 20 MB default refuses a larger file at once; the server's
# [limits] attachment_max_size refuses the change that names a larger one,
# which the replica keeps as a rejected change with the reason, in Chinese
# under zh_CN; [limits] attachment_quota refuses content past a branch's
# quota at its upload, with what the branch holds.
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

# --- the per-branch quota on content (slice 2): a bad setting is named; an
# upload past the quota is refused with what the branch holds, in Chinese
# under zh_CN; the records went anyway, and another branch is not affected.
printf '[limits]\nattachment_quota = plenty\n' > "$T/badq.ini"
out=$("$HEARTHD" --config "$T/badq.ini" --check-config 2>&1)
expect_contains "a bad quota is named" 'attachment_quota: "plenty" is not a size between 1K and 16T' "$out"
stop_server s
expect_eq "server s stops cleanly on SIGTERM" 0 "$STOP_RC"
cat > "$T/quota.ini" <<'INI'
[limits]
attachment_quota = 1M
INI
start_server q --config "$T/quota.ini"
client q1 branch1 "$PORT_q"
client q2 branch2 "$PORT_q"
{ printf '\xff\xd8\xff\xe0'; head -c 700000 /dev/urandom; } > "$F/one.jpg"
{ printf '\xff\xd8\xff\xe0'; head -c 500000 /dev/urandom; } > "$F/two.jpg"
qm=$(h q1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
h q1 member attach "$qm" "$F/one.jpg" >/dev/null
out=$(h q1 sync 2>&1); rc=$?
expect_eq "content within the quota uploads" 0 "$rc"
expect_contains "and says so" "uploaded the content of 1 attachment" "$out"
h q1 member attach "$qm" "$F/two.jpg" >/dev/null
h q1 member edit "$qm" --phone 13911112222 >/dev/null
out=$(h q1 sync 2>&1); rc=$?
expect_eq "content past the quota fails the sync (exit 1)" 1 "$rc"
expect_contains "with the quota named" \
	"the content of attachment two.jpg was not uploaded: two.jpg (489 KB) does not fit in the attachment quota of branch b001: it holds 684 KB of 1024 KB; detach attachments it no longer needs or ask the committee to raise attachment_quota" "$out"
expect_contains "but the records went" "pushed 2 (applied 2" "$out"
out=$(LC_ALL=zh_CN.UTF-8 h q1 sync 2>&1)
expect_contains "in Chinese under zh_CN" "附件 two.jpg 的内容没有上传：two.jpg（489 KB）超出支部 b001 的附件配额：已用 684 KB，配额 1024 KB" "$out"
q2m=$(h q2 member add --name 王芳 --gender 女 --join-date 2003-07-01 --category 正式)
h q2 member attach "$q2m" "$F/one.jpg" >/dev/null
expect_eq "another branch has its own quota" 0 "$(h q2 sync >/dev/null 2>&1; echo $?)"
finish
