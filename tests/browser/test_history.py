"""A record's page shows its history (issue 14): who, when and what changed,
read from the server's audit log through the same core as `hearth
history`: a visit's 慰问金 edited in the page shows old and new in 元, its
members by name, and each action by its Chinese label."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("history")
port = r.server()
r.client("a", "branch1", port)
rc, m1 = r.h("a", "member", "add", "--name", "王秀英", "--gender", "女", "--join-date", "1998-07-01",
             "--category", "正式")
rc, m2 = r.h("a", "member", "add", "--name", "李建国", "--gender", "男", "--join-date", "2003-07-01",
             "--category", "正式")
m1, m2 = m1.strip(), m2.strip()
rc, v = r.h("a", "visit", "add", "--members", m1, "--occasion", "春节", "--date", "2026-02-10",
            "--visitors", "张三", "--cash", "300", "--fund-source", "党费")
v = v.strip()
rc, _ = r.h("a", "sync")
r.eq("the visit reaches the server", 0, rc)

url, ui = r.ui("a", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
p.go("#/record/" + v)
p.one("#record[data-loaded]")
p.one('#history-body[data-loaded="1"]')
r.contains("the history has its help text", "审计日志", p.text("#history"))
rows = p.css("#history-table tbody tr")
r.eq("one entry so far: the visit added", 1, len(rows))
r.contains("its action in Chinese", "新增", rows[0].text if rows else "")
r.contains("who made it: the certificate's person", "张三", rows[0].text if rows else "")
r.contains("and where", "b001", rows[0].text if rows else "")

# --- an edit in the page: more cash, a second member
p.go("#/edit/" + v)
p.one("#record-form")
p.type("cash", "500")
p.pick_member("members", "李建国")
p.save()
p.one("#record[data-loaded]")
summary = p.sync()
r.contains("the edit is applied", "采纳 1", summary)
p.go("#/record/" + v)
p.one("#record[data-loaded]")
p.one('#history-body[data-loaded="1"]')
rows = p.css("#history-table tbody tr")
r.eq("two entries now", 2, len(rows))
last = rows[-1].text if rows else ""
r.contains("the edit is 修改", "修改", last)
cash = p.text('#history-table tbody tr:last-child li[data-field="cash"]')
r.contains("慰问金 by its label", "慰问金", cash)
members = p.text('#history-table tbody tr:last-child li[data-field="members"]')
r.contains("走访对象 by its label", "走访对象", members)
# The values are printed by the one core printer `hearth history` uses
# (audq_change_side: value_field_format for people): 元 and names.
r.contains("the old amount in 元", "300.00", cash)
r.contains("the new amount in 元", "500.00", cash)
r.contains("the members by name, before", "王秀英", members)
r.contains("and after", "李建国", members)
r.ok("no member id in the history", m1 not in p.text("#history") and m2 not in p.text("#history"))

# --- with the server gone the page says why, and the record still shows
r.server_proc.terminate()
r.server_proc.wait(timeout=20)
p.go("#/")
p.one("#home[data-loaded]")
p.go("#/record/" + v)
p.one("#record[data-loaded]")
p.one('#history-body[data-loaded="error"]')
r.contains("offline, the history says it needs the server", "无法连接服务器", p.text("#history-body"))
r.contains("and the record is still there", "春节", p.text("#record"))
r.stop_ui(ui)
r.finish()
