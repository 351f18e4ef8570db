"""The auditor's screens of `hearth ui` in a real browser (issue 14 item 5):
with an auditor certificate the navigation shows 审计日志, 校验 and 导出 and
none of the screens that change records; the log's filters change the rows
(action, record by a member's name, the logins toggle) and 更早的记录 pages
on, newest first; 校验 shows the witness and the chain as OK, and after one
byte of the server's store is flipped (tests/tools/audit_tamper) names the
damaged entry; 导出 downloads a CSV (and an xlsx) of the rows the filters match. A branch
certificate sees none of these screens, and the API refuses it in Chinese."""
import glob
import os
import re
import sys
import subprocess
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("audit")
port = r.server()
r.client("b1", "branch1", port)
r.client("aud", "auditor", port)
rc, m1 = r.h("b1", "member", "add", "--name", "王秀英", "--gender", "女", "--join-date", "1998-07-01",
             "--category", "正式")
m1 = m1.strip()
rc, _ = r.h("b1", "member", "edit", m1, "--address", "北京市海淀区")
# Enough entries for more than one page of 50.
for i in range(52):
    r.h("b1", "member", "add", "--name", "党员%02d" % i, "--gender", "男", "--join-date", "2001-07-01",
        "--category", "正式")
rc, _ = r.h("b1", "sync")
r.eq("the branch syncs", 0, rc)
rc, _ = r.h("aud", "sync")
r.eq("the auditor pulls the members", 0, rc)

url, ui = r.ui("aud", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
labels = [a.text for a in p.css("#nav a")]
for want in ("审计日志", "校验", "导出"):
    r.ok("the auditor's nav has " + want, want in labels, str(labels))
for gone in ("冲突", "被退回", "回收站"):
    r.ok("and not " + gone, gone not in labels, str(labels))


def rows():
    return [(int(t.get_attribute("data-seq")), t.get_attribute("data-action"), t.get_attribute("data-record"))
            for t in p.css("#audit-table tbody tr")]


def search(n):
    """Clicks 查询 and waits for the n-th load of the list."""
    p.one("#audit-search").click()
    p.one('#audit-body[data-loaded="%d"]' % n)


# --- 审计日志: newest first, logins hidden, one page of 50
p.nav("审计日志")
p.one('#audit-body[data-loaded="1"]')
first = rows()
r.eq("one page of 50 entries", 50, len(first))
r.ok("newest first", all(a[0] > b[0] for a, b in zip(first, first[1:])), str([x[0] for x in first[:5]]))
r.ok("logins are hidden", all(x[1] != "login" for x in first))
r.contains("entries in words: who", "张三", p.text("#audit-table"))
r.contains("and the action by its Chinese label", "新增", p.text("#audit-table"))

# --- 更早的记录: the next page below the last row, still newest first
p.one("#audit-more").click()
p.one('#audit-body[data-pages="2"]')
both = rows()
r.ok("the older page adds rows", len(both) > 50, str(len(both)))
r.ok("and the order goes on downwards", all(a[0] > b[0] for a, b in zip(both, both[1:])))

# --- filters change the rows
uilib.Select(p.one("#audit-action")).select_by_value("record.update")
search(2)
upd = rows()
r.eq("action 修改: the one edit", 1, len(upd))
r.eq("and it is an update", "record.update", upd[0][1] if upd else "")
r.contains("what changed, by the shared printer", "北京市海淀区", p.text("#audit-table"))
uilib.Select(p.one("#audit-action")).select_by_value("")
p.one("#audit-record").send_keys("王秀英")
search(3)
mine = rows()
r.eq("record by name: its create and its update", 2, len(mine))
r.ok("every row is that member's", all(x[2] == m1 for x in mine), str(mine))
p.one("#audit-record").clear()
p.one("#audit-logins").click()
search(4)
r.ok("with the toggle, logins show", any(x[1] == "login" for x in rows()))
p.one("#audit-logins").click()
p.one("#audit-record").send_keys("无名氏")

p.one("#audit-search").click()
p.has_text("#err-audit-record", "无名氏")
r.ok("an unknown name is refused beside the record field", "无名氏" in p.text("#err-audit-record"))
p.one("#audit-record").clear()
today = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
p.d.execute_script("arguments[0].value = arguments[1]", p.one("#audit-since"), today)
p.one("#audit-search").click()
p.one("#audit-none")
r.ok("since tomorrow: no entries", not rows())
p.d.execute_script("arguments[0].value = ''", p.one("#audit-since"))
search(7)
r.ok("and without it they are back", len(rows()) == 50, str(len(rows())))

# --- 校验: the witness and the chain
p.nav("校验")
p.one('#verify[data-loaded="1"]')
r.eq("the witness is OK", "1", p.one("#verify-witness").get_attribute("data-ok"))
r.contains("and says the log only grew", "只增不减", p.text("#verify-witness"))
r.eq("the chain is OK", "1", p.one("#verify-chain").get_attribute("data-ok"))
r.contains("in the words of audit verify", "个检查点：正常", p.text("#verify-chain"))

# --- 导出: a CSV of the rows the filters match, downloaded
dl = os.path.join(r.dir, "downloads")
os.makedirs(dl)
p.d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dl})
p.nav("导出")
uilib.Select(p.one("#audit-action")).select_by_value("record.create")
p.one("#audit-search").click()
p.wait(lambda: "action=record.create" in (p.one("#audit-export-csv").get_attribute("href") or ""), "the export link")
p.one("#audit-export-csv").click()
files = p.wait(lambda: [f for f in glob.glob(dl + "/*.csv")], "the downloaded CSV")
time.sleep(0.3)
text = open(files[0], encoding="utf-8-sig").read()
lines = [x for x in text.splitlines() if x]
r.eq("the header and one row per member added", 1 + 53, len(lines))
r.contains("the header in Chinese", "序号", lines[0] if lines else "")
r.contains("a row names the member", "王秀英", text)
r.ok("only the creates", all("record.create" in x for x in lines[1:]))
r.eq("the file is named for the log", "审计日志.csv", os.path.basename(files[0]))
head = p.d.execute_async_script("""
  var done = arguments[arguments.length - 1];
  fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) { return r.arrayBuffer(); })
    .then(function (b) { var u = new Uint8Array(b); done([u.length, u[0], u[1]]); });""",
                                 p.one("#audit-export-xlsx").get_attribute("href"))
r.ok("the xlsx link gives a zip workbook", head[0] > 1000 and head[1:] == [0x50, 0x4b], str(head))
rc, out = r.h("aud", "audit", "log", "--action", "export", "--limit", "5")
r.contains("the export is in the audit log", "hearth ui audit export", out)

# --- one flipped byte: 校验 names the damaged entry
seq = [x[0] for x in upd][0]
r.server_proc.terminate()
r.server_proc.wait(timeout=20)
tamper = os.path.join(os.environ["HEARTH_TOOLS"], "audit_tamper")
subprocess.run([tamper, "--data", os.path.join(r.dir, "data"), "--seq", str(seq), "--flip"], check=True,
               stdout=subprocess.DEVNULL)
port2 = r.server()
prof = os.path.join(r.home("aud"), "profile.ini")
text = open(prof).read()
open(prof, "w").write(re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:%d" % port2, text))
p.nav("校验")
p.one('#verify[data-loaded="1"]')
r.eq("after the tamper the chain is not OK", "0", p.one("#verify-chain").get_attribute("data-ok"))
r.contains("and the damaged entry is named", "第 %d 条记录已损坏" % seq, p.text("#verify-chain"))
r.stop_ui(ui)

# --- a branch certificate: no audit screens, and the API says why
url, ui = r.ui("b1", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
labels = [a.text for a in p.css("#nav a")]
r.ok("the branch's nav has no 审计日志", "审计日志" not in labels and "校验" not in labels, str(labels))
p.go("#/audit")
p.has_text("#audit-msg", "审计页面只供审计员或管理员证书使用")
r.ok("the log page says the certificate may not", True)
r.stop_ui(ui)
r.finish()
