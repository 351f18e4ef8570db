"""The core flows of `hearth ui` in real headless Firefox (issue 14 item 3:
the pages must work in Chromium and Firefox), driven over Marionette
(marionette.py; Debian has no geckodriver): the token URL opens 首页 with
no script error; a member is added by name through the form, a hardship
entry for her makes 应办事项 owe a visit, and the visit through its form
takes it away; a record's page shows its history from the server after a
sync, with money in 元 and members by name; 党费月度 creates a month's
dues and marks one paid."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("firefox_flows")
port = r.server()
r.client("a", "branch1", port)
url, ui = r.ui("a", env=uilib.ZH)
p = r.firefox(url)

p.one("#home[data-loaded]")
r.ok("the token URL lands on 首页, without the token in the address bar", "token=" not in p.url(), p.url())
r.contains("首页 says nothing is due yet", "没有应办事项", p.text("#home"))
r.eq("首页 drew without a script error", [0, ""], p.errors())
r.ok("Firefox answered as Firefox", p.ff.caps["capabilities"]["browserName"] == "firefox",
     str(p.ff.caps["capabilities"].get("browserName")))

# --- a member through the form; a missing name is refused beside its field
p.new_record("党员")
p.choose("gender", "女")
p.type("join_date", "1998-07-01")
p.choose("category", "正式党员")
p.type("birth_date", "1938-02-03")
p.save()
err = p.wait(lambda: p.text("#err-name"), "the error beside 姓名")
r.contains("a missing name is refused beside its field", "name", err)
p.type("name", "王秀英")
p.type("phone", "13912341111")
p.save()
p.one("#record[data-loaded]")
r.contains("the member page shows the name", "王秀英", p.text("#record"))
r.contains("the date picker's value was kept", "1998-07-01", p.text("#record"))
r.eq("the phone is masked until 显示", "139****1111", p.text("#record dd[data-field=phone]"))
rc, out = r.h("a", "member", "list")
r.contains("the CLI sees the member the form added", "王秀英", out)

# --- a hardship entry for her, chosen by name: she is owed a visit
p.new_record("困难党员")
p.pick_member("member", "王秀英")
p.check("types", "生活困难")
p.choose("status", "在册")
p.type("certified_at", "2026-01-05")
p.save()
p.one("#record[data-loaded]")
r.contains("the hardship page names the member, not an id", "王秀英", p.text("#record"))
p.nav("首页")
p.has_text("#due", "王秀英")


def due_rows(what):
    """The 应办事项 rows of 王秀英 whose 事项 is what."""
    return [tr for tr in p.css("#due tbody tr") if "王秀英" in tr.text and tr.css("td")[0].text == what]


row = p.wait(lambda: (due_rows("走访") or [None])[0], "a visit owed to 王秀英")
r.contains("overdue rows are marked", "overdue", row.get_attribute("class"))
color = p.ff.js("return getComputedStyle(arguments[0].querySelector('td')).color", row)
r.eq("and shown in red", "rgb(179, 38, 30)", color)

# --- the visit, through its form: the due item goes
p.new_record("走访慰问")
p.pick_member("members", "王秀英")
p.choose("occasion", "春节")
r.ok("a new visit's date defaults to today", p.one("#f-date").prop("value") not in ("", None))
p.type("visitors", "张三")
p.type("cash", "300")
p.choose("fund_source", "党费")
p.save()
p.one("#record[data-loaded]")
r.contains("the visit shows the cash in yuan", "300.00 元", p.text("#record"))
visit = p.ff.js("return location.hash").split("/")[-1]
p.nav("首页")
p.one("#home[data-loaded]")
p.wait(lambda: p.css("#due-none") or p.css("#due"), "the due list")
r.eq("after the visit she is no longer owed one", [], due_rows("走访"))
r.contains("春节 coverage counts her", "春节：已走访 1 / 1", p.text("#home"))

# --- a sync from the page, then the visit's history read from the server
summary = p.sync()
r.contains("同步 sends the three records", "推送 3 条", summary)
p.go("#/edit/" + visit)
p.one("#record-form")
p.type("cash", "500")
p.save()
p.one("#record[data-loaded]")
r.contains("the edit is applied at the next sync", "采纳 1", p.sync())
p.go("#/record/" + visit)
p.one("#record[data-loaded]")
p.one('#history-body[data-loaded="1"]')
rows = p.css("#history-table tbody tr")
r.eq("the history has the add and the edit", 2, len(rows))
r.contains("the first is 新增", "新增", rows[0].text if rows else "")
cash = p.text('#history-table tbody tr:last-child li[data-field="cash"]')
r.contains("the edit's old amount in 元", "300.00", cash)
r.contains("and its new one", "500.00", cash)
r.contains("the members by name", "王秀英", p.text("#history-table"))

# --- 党费月度: the month's dues and 标记已缴, in Firefox's text box for the month
rc, zz = r.h("a", "member", "add", "--name", "张在职", "--gender", "男", "--join-date", "2000-07-01",
             "--dues-group", "在职", "--dues-income", "6000")
p.nav("党费月度")
p.one('#dues-list[data-loaded="1"]')
box = p.one("#dues-month")
box.clear()
box.send_keys("2026-09")
p.one("#dues-run").click()
p.one('#dues-result[data-runs="1"]')
r.contains("the month is created", "已为 2026-09 生成 1 条记录", p.text("#dues-summary"))
r.contains("王秀英 (no dues group) is listed to fix", "王秀英", p.text("#dues-needs"))
row = p.wait(lambda: [tr for tr in p.css("#dues-records tbody tr") if "张在职" in tr.text], "张在职's record")[0]
r.contains("at the table's amount", "90.00 元", row.text)
loads = int(p.one("#dues-list").get_attribute("data-loaded"))
row.css(".mark-paid")[0].click()
p.one('#dues-list[data-loaded="%d"]' % (loads + 1))
r.contains("标记已缴 marks it paid", "已缴", [tr for tr in p.css("#dues-records tbody tr") if "张在职" in tr.text][0].text)

# --- a dues record through the form: Firefox's month field is a text box
p.new_record("党费")
mf = p.one("#f-month")
r.eq("Firefox has no month picker: the month is a text box", "text", mf.prop("type"))
r.eq("... that shows the format to type", "YYYY-MM", mf.get_attribute("placeholder"))
p.pick_member("member", "张在职")
p.type("month", "2026-10")
p.choose("status", "未缴")
p.save()
p.one("#record[data-loaded]")
r.contains("the typed month is kept", "2026-10", p.text("#record"))
r.eq("no script error on any page", [0, ""], p.errors())

r.stop_ui(ui)
r.finish()
