"""导入/导出 (issue 14): a CSV uploaded in the page is checked by the
importer of `hearth KIND import` (client/core/import.c): 检查 lists every bad
cell, row, column and message exactly as `--dry-run` prints them, and
stores nothing; a good file is checked, then 导入 stores every row. The
lists download as CSV and xlsx, as `list --csv` and `--xlsx` write them."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("import")
port = r.server()
r.client("a", "branch1", port)
bad = os.path.join(r.dir, "bad.csv")
with open(bad, "w", encoding="utf-8") as f:
    f.write("姓名,性别,入党日期,类别,出生日期,微信号\n"
            "王秀英,女,1998-07-01,正式,1946-03-15,wx1\n"
            "李建国,机器人,2003-07-01,正式,1950-01-01,wx2\n"
            "张桂兰,女,2026-02-30,正式,1938-02-03,\n"
            "陈志强,男,2001-07-01,党员,1960-01-01,\n")
good = os.path.join(r.dir, "good.csv")
with open(good, "w", encoding="utf-8") as f:
    f.write("姓名,性别,入党日期,类别,出生日期\n"
            "王秀英,女,1998-07-01,正式,1946-03-15\n"
            "李建国,男,2003-07-01,正式,1950-01-01\n"
            "张桂兰,女,2006-02-28,预备,1938-02-03\n")

# What the CLI says of the bad file, under the page's locale: the lines
# the page must show cell for cell.
cli = subprocess.run([uilib.HEARTH, "--home", r.home("a"), "member", "import", "--dry-run", bad],
                     capture_output=True, text=True, env=uilib.ZH, timeout=60)
r.eq("the CLI refuses the bad file", 2, cli.returncode)
want = []
for line in cli.stderr.splitlines():
    if line.startswith(bad + ":"):
        rest = line[len(bad) + 1:]
        row, column, message = rest.split(": ", 2)
        want.append((row, column, message))
r.eq("the CLI names three bad cells", 3, len(want))

url, ui = r.ui("a", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
p.nav("导入/导出")
p.one("#import-kind")
r.contains("the page has its help text", "要么保存全部行，要么一行也不保存", p.text("#main"))
uilib.Select(p.one("#import-kind")).select_by_visible_text("党员")


def run(button, n):
    p.one(button).click()
    p.one('#import-result[data-runs="%d"]' % n)


p.one("#import-check").click()
p.has_text("#import-result", "请先选择文件")
r.ok("检查 without a file asks for one", True)
p.one("#import-file").send_keys(bad)
run("#import-check", 2)
got = [tuple(td.text for td in tr.find_elements(uilib.By.TAG_NAME, "td"))
       for tr in p.css("#import-problems tbody tr")]
r.eq("检查 shows every bad cell, row, column and message as the CLI prints them", want, got)
r.contains("one of them exactly, in Chinese", ("3", "性别", "“机器人”不是 性别 的可选值（请用“hearth member --help”"
                                               "列出的中文名或英文短名）"), got)
r.eq("the summary says nothing was stored", "共 4 行，其中 3 行有误；没有保存任何内容", p.text("#import-summary"))
r.contains("the unknown column is named", "微信号", p.text("#import-result"))
rc, out = r.h("a", "member", "list", "--json")
r.eq("nothing was stored", "[]", out.strip())
run("#import-do", 3)
r.ok("导入 of the bad file is refused too", p.css("#import-problems"), p.text("#import-result"))
rc, out = r.h("a", "member", "list", "--json")
r.eq("still nothing stored", "[]", out.strip())

# --- the good file: checked, then imported
p.one("#import-file").clear()
p.one("#import-file").send_keys(good)
run("#import-check", 4)
r.ok("the good file has no problems", not p.css("#import-problems"), p.text("#import-result"))
r.eq("检查 says what it would do", "3 行都没有问题：新增 3 行，更新 0 行，0 行不变；还没有保存",
     p.text("#import-summary"))
rc, out = r.h("a", "member", "list", "--json")
r.eq("the check stored nothing", "[]", out.strip())
run("#import-do", 5)
rc, out = r.h("a", "member", "list")
for n in ("王秀英", "李建国", "张桂兰"):
    r.contains("the CLI sees %s" % n, n, out)
r.eq("导入 says what it stored", "已导入：新增 3 条，更新 0 条，0 条不变；下次同步时发送给服务器",
     p.text("#import-summary"))

# --- 导出: each list as CSV and as xlsx, through the page's links
href = p.one("#export-csv").get_attribute("href")
text = p.d.execute_async_script("""
  var done = arguments[arguments.length - 1];
  fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) { return r.text(); }).then(done);""", href)
r.contains("the CSV has the labels as headers", "id,姓名", text.lstrip("\ufeff"))
r.contains("and the imported members", "张桂兰", text)
xlsx_head = p.d.execute_async_script("""
  var done = arguments[arguments.length - 1];
  fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) { return r.arrayBuffer(); })
    .then(function (b) { var u = new Uint8Array(b); done([u.length, u[0], u[1]]); });""",
                                     p.one("#export-xlsx").get_attribute("href"))
r.ok("the xlsx is a zip workbook", xlsx_head[0] > 1000 and xlsx_head[1:] == [0x50, 0x4b], str(xlsx_head))
rc, _ = r.h("a", "sync")
r.eq("the import and the exports sync", 0, rc)
r.client("adm", "admin", port)
rc, out = r.h("adm", "audit", "log", "--action", "export", "--limit", "10")
r.contains("the CSV export is in the audit log, as 'list --csv' records it", "member list --csv", out)
r.contains("and the xlsx one", "member list --xlsx", out)
r.stop_ui(ui)
r.finish()
