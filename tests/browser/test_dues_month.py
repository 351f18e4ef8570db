"""党费 by the month in the page (issue 15 item 4, issue 14 "done when": the
year's dues without typing an id): 党费月度 creates the month's 未缴
records for every active member through the engine of `hearth dues
month`, says how many, lists the member missing data with a link to her
page; fixing her there and running the month again adds her record and
nothing twice; 标记已缴 marks one record paid, which the CLI then sees.
A month not written YYYY-MM is refused beside the field."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("dues_month")
port = r.server()
r.client("a", "branch1", port)
rc, zz = r.h("a", "member", "add", "--name", "张在职", "--gender", "男", "--join-date", "2000-07-01",
             "--dues-group", "在职", "--dues-income", "6000")
rc, ws = r.h("a", "member", "add", "--name", "王学生", "--gender", "女", "--join-date", "2020-07-01",
             "--dues-group", "学生")
rc, cq = r.h("a", "member", "add", "--name", "陈缺类别", "--gender", "女", "--join-date", "2001-07-01")
zz, ws, cq = zz.strip(), ws.strip(), cq.strip()
env = dict(uilib.ZH, HEARTH_TODAY="2026-09-20")
url, ui = r.ui("a", env=env)
p = r.browser(url)
p.one("#home[data-loaded]")
p.nav("党费月度")
p.one("#dues-page")
p.one('#dues-list[data-loaded="1"]')


def month(text):
    e = p.one("#dues-month")
    e.clear()
    e.send_keys(text)


def run(n):
    p.one("#dues-run").click()
    return p.one('#dues-result[data-runs="%d"]' % n)


# --- a bad month, beside the field, and nothing made
month("2026-9")
run(1)
r.contains("a month not written YYYY-MM is refused beside the field", "2026-9", p.text("#err-month"))
r.eq("... and nothing was made", 0, p.d.execute_script("return document.querySelectorAll('#dues-records tbody tr').length"))

# --- the month
month("2026-09")
run(2)
r.contains("the page says what it created", "已为 2026-09 生成 2 条记录", p.text("#dues-summary"))
need = p.one('#dues-needs tr[data-member="%s"]' % cq)
r.contains("the member without a dues group is listed", "陈缺类别", need.text)
r.contains("... with what is missing", "党费类别", need.text)
links = [a.get_attribute("href") for a in need.find_elements(uilib.By.TAG_NAME, "a")]
r.ok("... and links to her page, not an id to type", any(h.endswith("#/record/" + cq) for h in links), str(links))
p.wait(lambda: len(p.css("#dues-records tbody tr")) == 2, "the month's two records")
rows = {tr.find_elements(uilib.By.TAG_NAME, "td")[0].text: tr for tr in p.css("#dues-records tbody tr")}
r.eq("the month lists both members by name", ["张在职", "王学生"], sorted(rows, key=lambda n: n != "张在职"))
r.contains("the amount is the table's, in 元 (1.5% of 6000)", "90.00 元", rows["张在职"].text)
r.contains("a new record is 未缴", "未缴", rows["张在职"].text)

# --- 标记已缴 from the list
loads = int(p.one("#dues-list").get_attribute("data-loaded"))
rows["张在职"].find_element(uilib.By.CSS_SELECTOR, ".mark-paid").click()
p.one('#dues-list[data-loaded="%d"]' % (loads + 1))
row = [tr for tr in p.css("#dues-records tbody tr") if "张在职" in tr.text][0]
r.contains("the record is 已缴 now", "已缴", row.text)
r.contains("... paid in full", "90.00 元 90.00 元", row.text)
r.eq("... and offers no second 标记已缴", 0, len(row.find_elements(uilib.By.CSS_SELECTOR, ".mark-paid")))
rc, out = r.h("a", "dues", "list", "--member", zz, "--json")
r.contains("the CLI sees it paid in full on the day", '"paid":9000,"paid_date":"2026-09-20","status":"paid"', out)

# --- fix the member through her page's form, then run the month again
[a for a in need.find_elements(uilib.By.TAG_NAME, "a") if a.get_attribute("href").endswith("#/edit/" + cq)][0].click()
p.one("#record-form")
p.choose("dues_group", "学生")
p.save()
p.one("#record[data-loaded]")
p.go("#/dues/2026-09")
p.one('#dues-list[data-loaded="1"]')
run(1)
r.contains("the second run adds only her record", "已为 2026-09 生成 1 条记录；2 名党员已有记录", p.text("#dues-summary"))
r.ok("no one needs data now", p.css("#dues-needs-none"))
p.wait(lambda: len(p.css("#dues-records tbody tr")) == 3, "three records")
run(2)
r.contains("a third run creates nothing", "已为 2026-09 生成 0 条记录；3 名党员已有记录", p.text("#dues-summary"))
rc, out = r.h("a", "dues", "list", "--json")
r.eq("the replica holds three records for the month, none twice", 3, out.count('"month":"2026-09"'))

r.stop_ui(ui)
r.finish()
