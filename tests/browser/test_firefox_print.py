"""报表 in real headless Firefox (issue 14 item 3: print well on A4), over
Marionette (marionette.py): the year report draws without a script error,
with the CLI's figures, and WebDriver:Print on A4 gives a PDF of one or two
A4 pages whose text (poppler's pdftotext) has the report's title and its
figures, without the navigation or the toolbar."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

uilib.need(shutil.which("pdftotext") and shutil.which("pdfinfo"), "pdftotext/pdfinfo (poppler-utils) are not installed")
r = uilib.Run("firefox_print")
port = r.server()
r.client("a", "branch1", port)
ids = []
for i, n in enumerate(["王秀英", "李建国", "张桂兰"]):
    rc, m = r.h("a", "member", "add", "--name", n, "--gender", "女" if i % 2 == 0 else "男", "--join-date",
                "199%d-07-01" % i, "--category", "正式")
    ids.append(m.strip())
r.h("a", "visit", "add", "--members", ids[0] + "," + ids[1], "--occasion", "春节", "--date", "2026-02-10",
    "--visitors", "张三", "--cash", "500", "--fund-source", "党费")
r.h("a", "visit", "add", "--members", ids[2], "--occasion", "七一", "--date", "2026-07-01",
    "--visitors", "张三", "--cash", "300", "--fund-source", "党费")
env = dict(uilib.ZH, HEARTH_TODAY="2026-11-20")
cli = json.loads(subprocess.run([uilib.HEARTH, "--home", r.home("a"), "report", "year", "2026", "--json"],
                                capture_output=True, text=True, env=env, timeout=60).stdout)

url, ui = r.ui("a", env=env)
p = r.firefox(url)
p.one("#home[data-loaded]")
p.nav("报表")
p.one("#report[data-loaded]")
r.contains("the title names the year", "2026 年度报表", p.text("#report h2"))
count = p.text('#report .report-section[data-section="visits"] tr[data-key="count"] td.num')
r.eq("the visit count is the CLI's", str(cli["visits"]["count"]), count)
bars = p.css('#report .report-section[data-section="visits"] .chart .bar-row .fill')
widths = [p.ff.js("return arguments[0].getBoundingClientRect().width", b) for b in bars]
r.ok("visits by occasion are drawn as bars, some of them long", len(bars) >= 2 and max(widths) > 0, str(widths))
r.eq("报表 drew without a script error", [0, ""], p.errors())
r.contains("the window is titled as the report (the name a print to file gets)", "2026 年度报表",
           p.ff.js("return document.title"))

pdf = p.ff.print_pdf()
r.ok("WebDriver:Print gives a PDF", pdf.startswith(b"%PDF"))
path = os.path.join(r.dir, "report.pdf")
with open(path, "wb") as f:
    f.write(pdf)
info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, timeout=60).stdout
pages = int((re.search(r"^Pages:\s+(\d+)", info, re.M) or [0, "0"])[1])
r.ok("of one or two pages", 1 <= pages <= 2, info)
size = re.search(r"^Page size:\s+([0-9.]+) x ([0-9.]+) pts", info, re.M)
r.ok("A4 pages (595 x 842 points)", size and abs(float(size[1]) - 595.3) < 2 and abs(float(size[2]) - 841.9) < 2,
     info)
text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, timeout=60).stdout
# Firefox's PDF text layer has no Unicode for the SC forms of some glyphs
# (年度报表 prints right but reads back as 年\ufffd\ufffd\ufffd), so the
# printed title is checked by the part that reads back: the year and 年.
r.contains("the printed page has the report's title line", "2026 年", text)
r.contains("and its figures in 元", "800.00", text)
r.ok("but not the navigation", "回收站" not in text and "导入/导出" not in text, text[:400])
r.ok("nor the toolbar's buttons", "打印" not in text, text[:400])

r.stop_ui(ui)
r.finish()
