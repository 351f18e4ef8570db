"""Two `hearth ui` instances on two replicas of b001 edit the same field of
one member; both sync from the page; the second gets a conflict, sees both
values side by side in 冲突, keeps its own (保留我的); after both sync again
the two replicas agree."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("conflict")
port = r.server()
r.client("a1", "branch1", port)
r.client("a2", "branch1", port)
rc, m = r.h("a1", "member", "add", "--name", "赵桂兰", "--gender", "女", "--join-date", "1985-07-01")
m = m.strip()
r.h("a1", "sync")
r.h("a2", "sync")
url1, ui1 = r.ui("a1")
url2, ui2 = r.ui("a2")
p1 = r.browser(url1)
p2 = r.browser(url2)


def edit_address(p, value):
    p.go("#/edit/" + m)
    p.one("#record-form")
    p.type("address", value)
    p.save()
    p.one("#record[data-loaded]")


edit_address(p1, "东街1号")
edit_address(p2, "西街2号")
r.contains("the first office's sync applies its edit", "采纳 1", p1.sync())
r.contains("the second office's sync reports the conflict", "冲突 1", p2.sync())
p2.go("#/")
r.ok("首页 counts the conflict", p2.text("#count-conflicts").startswith("1"), p2.text("#count-conflicts"))
p2.nav("冲突")
row = p2.one(".conflict tr[data-field=address]")
r.eq("冲突 shows mine", "西街2号", row.find_element(uilib.By.CSS_SELECTOR, ".mine").text)
r.eq("beside the server's", "东街1号", row.find_element(uilib.By.CSS_SELECTOR, ".theirs").text)
r.contains("the field by its label", "地址", row.text)
p2.one(".keep-mine").click()
p2.one("#no-conflicts")
r.contains("the resolution goes out with the next sync", "推送 1", p2.sync())
p1.sync()
for name, p in (("a1", p1), ("a2", p2)):
    p.go("#/record/" + m)
    p.has_text("#record dd[data-field=address]", "西街2号")
    rc, out = r.h(name, "member", "show", m, "--json")
    r.contains("replica %s converged on the kept value" % name, '"address":"西街2号"', out)
rc, out = r.h("a1", "conflicts")
r.ok("no conflict remains", "西街2号" not in out, out)

# --- a second round, settled with 改为…: a value neither side had
edit_address(p1, "北街4号")
edit_address(p2, "南街5号")
r.contains("round two: the first office's edit is applied", "采纳 1", p1.sync())
r.contains("round two: the second office gets the conflict", "冲突 1", p2.sync())
p2.nav("冲突")
row = p2.one(".conflict tr[data-field=address]")
inp = row.find_element(uilib.By.CSS_SELECTOR, "input.set-value")
inp.send_keys("中街6号")
p2.one(".set-values").click()
p2.one("#no-conflicts")
p2.sync()
p1.sync()
for name, p in (("a1", p1), ("a2", p2)):
    rc, out = r.h(name, "member", "show", m, "--json")
    r.contains("改为…: replica %s has the typed value" % name, '"address":"中街6号"', out)

r.stop_ui(ui1)
r.stop_ui(ui2)
r.finish()
