"""Issue 15 on the page (zh_CN): a member's 需谈话事项 and contact log are
listed on her page and added through its forms (the core of `member need`
and `member note`, so the CLI sees them); a transfer's summary on the
sending branch reads 已转出（只读） with the member's and the receiving
branch's names and offers no 编辑/删除; a general branch's new record
offers the branches below it as 所属支部, and its list has a 支部 column."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("issue15")
port = r.server()
r.client("a", "branch1", port)
r.client("b", "branch2", port)
r.client("adm", "admin", port)
r.client("g", "general1", port)
r.h("adm", "admin", "branch", "add", "g01", "--name", "第一党总支")
r.h("adm", "admin", "branch", "rename", "b001", "--parent", "g01")
r.h("a", "sync")
rc, ls = r.h("a", "member", "add", "--name", "李四", "--gender", "女", "--join-date", "2000-07-01",
             "--category", "正式", "--mobile", "是", "--destination", "深圳")
ls = ls.strip()
rc, zm = r.h("a", "member", "add", "--name", "周明", "--gender", "男", "--join-date", "1998-07-01")
zm = zm.strip()
rc, tr = r.h("a", "transfer", "add", "--member", zm, "--to-branch", "b002", "--letter-no", "组转17号",
             "--issued-date", "2026-09-01", "--valid-until", "2026-12-01")
tr = tr.strip()
r.h("a", "sync")
r.h("a", "transfer", "edit", tr, "--status", "已接收", "--accepted-date", "2026-09-05")
r.h("a", "sync")
r.h("b", "sync")
rc, _ = r.h("a", "sync")
r.eq("the sending branch pulls its summary", 0, rc)

url, ui = r.ui("a", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")

# --- 需谈话事项 and the contact log on 李四's page
p.go("#/record/" + ls)
p.one("#member-log[data-loaded]")
r.eq("no talk owed yet, said in Chinese", "没有登记需谈话事项。", p.text("#needs-none"))
r.eq("no contact yet", "没有联系记录。", p.text("#contacts-none"))
p.one("#need-form-reason").send_keys("困难")
p.d.execute_script("arguments[0].value = '2026-10-01'", p.one("#need-form-date"))
p.one("#need-form-note").send_keys("家中变故")
p.one("#need-form-save").click()
row = p.one("#needs-table tbody tr")
r.contains("the talk owed is listed", "困难", row.text)
r.contains("with its note", "家中变故", row.text)
r.contains("the page says it goes out at the next sync", "已保存", p.text("#member-log"))
p.d.execute_script("arguments[0].value = '2026-10-02'", p.one("#contact-form-date"))
p.one("#contact-form-channel").send_keys("微信")
p.one("#contact-form-note").send_keys("近况良好")
p.one("#contact-form-save").click()
row = p.one("#contacts-table tbody tr")
r.contains("the contact is listed", "微信", row.text)
rc, out = r.h("a", "member", "show", ls)
r.contains("the CLI sees the talk owed", "2026-10-01  困难  家中变故", out)
r.contains("and the contact", "2026-10-02  微信  近况良好", out)
p.one("#need-form-reason").send_keys("吵架")
p.d.execute_script("arguments[0].value = '2026-10-01'", p.one("#need-form-date"))
p.one("#need-form-save").click()
p.has_text("#need-form .form-msg", "不是谈话起因")

# --- the transfer summary: names, 已转出（只读）, no 编辑/删除
p.list_page("组织关系转接")
row = p.one("#list tbody tr")
r.contains("the list names the member", "周明", row.text)
r.contains("and says it is only a trace", "已转出（只读）", row.text)
r.contains("and the receiving branch by name", "第二党支部", row.text)
row.find_element(uilib.By.CSS_SELECTOR, "a").click()
p.one("#record[data-loaded]")
r.contains("the record says why it is read-only", "只读摘要", p.text("#read-only"))
r.eq("no 删除 button", 0, len(p.css("#record #delete")))
r.eq("no 编辑 link", 0, len([a for a in p.css("#record a") if a.text == "编辑"]))
r.stop_ui(ui)

# --- a general branch: 所属支部 and the 支部 column
rc, _ = r.h("g", "sync")
r.eq("the general branch syncs", 0, rc)
url, ui = r.ui("g", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
p.list_page("党员")
r.contains("its member list has a 支部 column", "支部", p.text("#list thead"))
r.contains("naming b001", "b001 第一党支部", p.text("#list tbody"))
p.new_record("党员")
opts = [o.text for o in p.css("#f-branch option")]
r.contains("所属支部 offers b001 with its name", "b001 第一党支部", " ".join(opts))
r.stop_ui(ui)
r.finish()
