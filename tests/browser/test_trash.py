"""回收站 (issue 14): a member other records refer to is deleted from her
page only after the person confirms what refers to her (the CLI's rule);
she then shows in 回收站 and 恢复 brings her back, which the next 同步
sends to the server as a new revision. The words come from the catalog in
Chinese (zh_CN)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("trash")
port = r.server()
r.client("a", "branch1", port)
rc, m = r.h("a", "member", "add", "--name", "王秀英", "--gender", "女", "--join-date", "1998-07-01",
            "--category", "正式")
m = m.strip()
r.h("a", "hardship", "add", "--member", m, "--types", "患病", "--level", "特别困难", "--certified-at",
    "2026-01-05", "--year", "2026", "--status", "在册")
rc, _ = r.h("a", "sync")
r.eq("the member and her ledger entry reach the server", 0, rc)

url, ui = r.ui("a", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
p.nav("回收站")
p.one("#trash-empty")
r.eq("回收站 starts empty, and says so in Chinese", "回收站是空的。", p.text("#trash-empty"))
r.contains("回收站 has its help text", "恢复", p.text("#main .hint"))

# --- delete from her page: the first confirm, then the referenced one
p.go("#/record/" + m)
p.one("#record[data-loaded]")
p.d.execute_script("window.__asked = []; window.confirm = function (q) { window.__asked.push(q); return true; }")
p.one("#delete").click()
p.wait(lambda: p.d.execute_script("return location.hash") == "#/list/member", "the member list after the delete")
asked = p.d.execute_script("return window.__asked")
r.eq("two questions: delete?, then what refers to her", 2, len(asked))
r.contains("the second names what refers to her", "困难党员", asked[1] if len(asked) > 1 else "")
rc, out = r.h("a", "member", "list", "--deleted")
r.contains("the CLI lists her as deleted", "王秀英", out)

p.nav("回收站")
row = p.one('#trash-table tr[data-id="%s"]' % m)
r.contains("回收站 shows her by name", "王秀英", row.text)
r.contains("and her kind", "党员", row.text)
p.one('#trash-table tr[data-id="%s"] button.restore' % m).click()
p.one("#trash-empty")
r.contains("恢复 says it goes out at the next sync", "已恢复，下次同步时发送给服务器。", p.text("#trash-msg"))
rc, out = r.h("a", "member", "show", m, "--json")
r.contains("she is alive again in the replica", '"deleted":false', out)
summary = p.sync()
r.contains("the restore is sent and applied", "采纳", summary)
r.client("b", "branch1", port)
rc, out = r.h("b", "sync")
rc, out = r.h("b", "member", "list")
r.contains("another office of the branch sees her again", "王秀英", out)

# --- curl-free check of the refusals the page relies on: a restore of a
# live record says why, in Chinese
p.d.execute_script("""
  window.__res = null;
  fetch('/api/restore', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': window.hearthPages.lib.S.csrf},
    body: JSON.stringify({id: arguments[0]})}).then(function (r) { return r.json().then(function (j) {
      window.__res = [r.status, j.error]; }); });""", m)
res = p.wait(lambda: p.d.execute_script("return window.__res"), "the answer to restoring a live record")
r.eq("restoring a record that is not deleted is refused (422)", 422, res[0])
r.stop_ui(ui)
r.finish()
