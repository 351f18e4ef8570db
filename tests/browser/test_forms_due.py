"""A secretary adds a member by name, a hardship entry and a visit through
the forms, and sees 应办事项 change: the entry is owed a visit (overdue, in
red) until the visit is recorded. Field errors show next to the field. The
page works with the server down (no sync needed for any of it); a sync
afterwards sends it all. Screenshots of 首页 and a list go under docs/ when
HEARTH_SCREENSHOTS names a directory."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("forms_due")
port = r.server()
r.client("a", "branch1", port)
url, ui = r.ui("a")
p = r.browser(url)

p.one("#home[data-loaded]")
r.ok("the token URL lands on 首页, without the token in the address bar",
     "token=" not in p.d.current_url)
r.contains("首页 says nothing is due yet", "没有应办事项", p.text("#home"))

# --- a member, by the form; a bad date first, shown beside its field
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
r.eq("the phone is masked until 显示", "139****1111", p.text("#record dd[data-field=phone]"))
r.ok("and its value is nowhere in the page", "13912341111" not in p.d.page_source)
p.one("#reveal").click()
p.has_text("#record dd[data-field=phone]", "13912341111")
r.ok("显示 shows it", True)

# --- editing a sensitive field needs 显示 in the form too
member_id = p.d.execute_script("return location.hash").split("/")[-1]
p.go("#/edit/" + member_id)
p.one("#record-form")
r.ok("a masked field cannot be edited blind", p.one("#f-phone").get_attribute("disabled") is not None)
p.one("#reveal-form").click()
p.wait(lambda: p.one("#f-phone").get_attribute("value") == "13912341111", "the phone in the form after 显示")
p.type("phone", "13912342222")
p.save()
p.one("#record[data-loaded]")
r.eq("the edited phone is kept (and masked again)", "139****2222", p.text("#record dd[data-field=phone]"))
rc, out = r.h("a", "member", "list")
r.contains("the CLI sees the member the form added", "王秀英", out)

# --- the list, and record text is text: markup in a name stays letters
p.new_record("党员")
p.type("name", "<b>李</b>")
p.save()
p.one("#record[data-loaded]")
p.nav("党员")
p.has_text("#list", "<b>李</b>")
r.eq("markup in a name is shown as text, not made into elements", 0,
     len(p.css("#list b")))

# --- a hardship entry for her, chosen by name
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
    return [tr for tr in p.css("#due tbody tr")
            if "王秀英" in tr.text and tr.find_elements(uilib.By.TAG_NAME, "td")[0].text == what]


row = p.wait(lambda: (due_rows("走访") or [None])[0], "a visit owed to 王秀英")
r.ok("应办事项 owes her a visit", row is not None)
r.contains("overdue rows are marked", "overdue", row.get_attribute("class"))
color = row.find_element(uilib.By.TAG_NAME, "td").value_of_css_property("color")
r.eq("and shown in red", "rgba(179, 38, 30, 1)", color)

if os.environ.get("HEARTH_SCREENSHOTS"):
    p.screenshot(os.path.join(os.environ["HEARTH_SCREENSHOTS"], "ui-home.png"))

# --- the visit, through its form: the due item goes
p.new_record("走访慰问")
p.pick_member("members", "王秀英")
p.choose("occasion", "春节")
r.ok("a new visit's date defaults to today", p.one("#f-date").get_attribute("value") != "")
p.type("visitors", "张三")
p.type("cash", "500.125")
p.save()
err = p.wait(lambda: p.text("#err-cash"), "the error beside 慰问金")
r.contains("an amount with three decimals is refused beside its field", "more than two decimals", err)
p.type("cash", "500")
p.save()
err = p.wait(lambda: p.text("#err-fund_source"), "the error beside 经费来源")
r.contains("a cross-field rule is shown beside the field it names", "fund_source is required", err)
p.choose("fund_source", "党费")
p.save()
p.one("#record[data-loaded]")
r.contains("the visit shows the cash in yuan", "500.00 元", p.text("#record"))
p.nav("首页")
p.one("#home[data-loaded]")
p.wait(lambda: p.css("#due-none") or p.css("#due"), "the due list")
due = p.text("#home")
r.eq("after the visit she is no longer owed one", [], due_rows("走访"))
r.contains("春节 coverage counts her", "春节：已走访 1 / 1", due)

if os.environ.get("HEARTH_SCREENSHOTS"):
    p.nav("走访慰问")
    p.one("#list")
    p.screenshot(os.path.join(os.environ["HEARTH_SCREENSHOTS"], "ui-list.png"))

# --- pending edits, then a sync from the page sends them
p.nav("首页")
r.ok("首页 counts the edits waiting to be sent", p.text("#count-pending").startswith("5"), p.text("#count-pending"))
summary = p.sync()
r.contains("同步 runs the sync and says what moved", "同步完成：推送 5 条", summary)
rc, out = r.h("a", "status", "--json")
r.contains("the replica has nothing left to send", '"pending_ops":0', out)

r.stop_ui(ui)
r.finish()
