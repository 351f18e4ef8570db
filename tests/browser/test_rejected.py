"""A change the server rejects shows up in 被退回 with the server's reason,
is corrected in the page (修改后重新提交) and accepted by the next 同步; 放弃
drops one on purpose. Two offices of b001: the other office already
recorded the member's dues for 2026-09 (CLI), this one records the same
month in the page."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("rejected")
port = r.server()
r.client("a1", "branch1", port)
r.client("a2", "branch1", port)
rc, m = r.h("a1", "member", "add", "--name", "李建国", "--gender", "男", "--join-date", "1990-07-01",
            "--category", "正式")
m = m.strip()
r.h("a1", "sync")
r.h("a2", "sync")
r.h("a1", "dues", "add", "--member", m, "--month", "2026-09", "--paid", "30", "--paid-date", "2026-09-02",
    "--status", "paid")
rc, _ = r.h("a1", "sync")
r.eq("the other office's dues reach the server", 0, rc)

url, ui = r.ui("a2")
p = r.browser(url)
p.new_record("党费")
p.pick_member("member", "李建国")
p.type("month", "2026-09")
p.choose("status", "已缴")
p.type("paid", "25")
p.type("paid_date", "2026-09-04")
p.save()
p.one("#record[data-loaded]")
summary = p.sync()
r.contains("同步 says one change was rejected", "退回 1", summary)
p.go("#/")
r.ok("首页 counts it as rejected", p.text("#count-rejected").startswith("1"), p.text("#count-rejected"))

p.nav("被退回")
item = p.one(".rejected-item")
r.contains("被退回 shows the server's reason", "already exist", item.text)
r.contains("and names the field by its label", "月份", item.text)
r.contains("and the record by its member", "李建国", p.text("#rejected"))
p.one(".edit-resend").click()
p.one("#record-form")
r.eq("the edit form keeps what was typed", "2026-09", p.one("#f-month").get_attribute("value"))
p.type("month", "2026-10")
p.save()
p.one("#record[data-loaded]")
summary = p.sync()
r.contains("the corrected change is accepted", "同步完成：推送 1 条（采纳 1", summary)
p.nav("被退回")
p.one("#no-rejected")
r.ok("被退回 is empty now", True)
rc, _ = r.h("a1", "sync")
rc, out = r.h("a1", "dues", "list", "--json")
r.contains("the other office gets the corrected month", '"month":"2026-10"', out)

# --- 放弃: a second clash, dropped on purpose
rc, _ = r.h("a1", "dues", "add", "--member", m, "--month", "2026-11", "--paid", "30", "--paid-date",
            "2026-11-02", "--status", "paid")
r.eq("the other office records 2026-11", 0, rc)
r.h("a1", "sync")
p.new_record("党费")
p.pick_member("member", "李建国")
p.type("month", "2026-11")
p.choose("status", "已缴")
p.type("paid", "30")
p.type("paid_date", "2026-11-03")
p.save()
p.one("#record[data-loaded]")
p.sync()
p.nav("被退回")
p.one(".rejected-item")
p.d.execute_script("window.confirm = function () { return true; }")
p.one(".discard").click()
p.one("#no-rejected")
rc, out = r.h("a2", "status", "--json")
r.contains("放弃 drops it: nothing rejected or pending remains", '"pending_ops":0,', out)
r.contains("and nothing is rejected", '"rejected":0,', out)

r.stop_ui(ui)
r.finish()
