"""报表 (issue 14): the year report in the page, from the same core as
`hearth report year` (the same figures, money in 元), with a bar chart per
breakdown drawn in CSS, and printable on A4: under print media the
toolbar and help are gone and the report fits A4 pages. With
HEARTH_SCREENSHOTS set, docs/ui-report.png is the printable report."""
import base64
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("report")
port = r.server()
r.client("a", "branch1", port)
names = ["王秀英", "李建国", "张桂兰", "陈志强"]
ids = []
for i, n in enumerate(names):
    rc, m = r.h("a", "member", "add", "--name", n, "--gender", "女" if i % 2 == 0 else "男", "--join-date",
                "199%d-07-01" % i, "--category", "正式")
    ids.append(m.strip())
r.h("a", "hardship", "add", "--member", ids[0], "--types", "患病,独居", "--level", "特别困难",
    "--certified-at", "2026-01-05", "--year", "2026", "--status", "在册")
r.h("a", "visit", "add", "--members", ids[0] + "," + ids[1], "--occasion", "春节", "--date", "2026-02-10",
    "--visitors", "张三", "--cash", "500", "--fund-source", "党费")
r.h("a", "visit", "add", "--members", ids[2], "--occasion", "七一", "--date", "2026-07-01",
    "--visitors", "张三", "--cash", "300", "--fund-source", "党费")
r.h("a", "visit", "add", "--members", ids[2], "--occasion", "春节", "--date", "2026-02-11",
    "--visitors", "张三")
r.h("a", "visit", "add", "--members", ids[3], "--occasion", "住院", "--date", "2026-03-01",
    "--visitors", "张三")
r.h("a", "activity", "add", "--type", "党员奉献日", "--date", "2026-03-05", "--title", "社区清扫",
    "--members", ",".join(ids))
rc, _ = r.h("a", "sync")
r.eq("the branch's year reaches the server", 0, rc)
env = dict(uilib.ZH, HEARTH_TODAY="2026-11-20")
r.ok("the CLI report runs", True)
import subprocess  # noqa: E402
cli = json.loads(subprocess.run([uilib.HEARTH, "--home", r.home("a"), "report", "year", "2026", "--json"],
                                capture_output=True, text=True, env=env, timeout=60).stdout)

url, ui = r.ui("a", env=env)
p = r.browser(url)
p.one("#home[data-loaded]")
p.nav("报表")
p.one("#report[data-loaded]")
r.contains("the title names the year", "2026 年度报表", p.text("#report h2"))
r.contains("the report has its help text", "hearth report year", p.text("#report .hint"))
visits = p.one('#report .report-section[data-section="visits"]')
count = p.text('#report .report-section[data-section="visits"] tr[data-key="count"] td.num')
r.eq("the visit count is the CLI's", str(cli["visits"]["count"]), count)
cash = p.text('#report .report-section[data-section="visits"] tr[data-key="cash_fen"] td.num') \
    if p.css('#report .report-section[data-section="visits"] tr[data-key="cash_fen"]') else visits.text
r.contains("the cash is in 元, as the CLI's table prints it", "800.00 元", cash)
bars = p.css('#report .report-section[data-section="visits"] .chart .bar-row')
r.ok("visits by occasion are a bar chart", len(bars) >= 3, "%d bars" % len(bars))
widths = {b.get_attribute("data-key"): b.find_element(uilib.By.CSS_SELECTOR, ".fill").size["width"] for b in bars}
r.ok("bars are as long as their figures (春节 2 > 七一 1, and 0 draws none)",
     widths.get("spring_festival", 0) > widths.get("july_first", 0) > 0 and min(widths.values()) == 0, str(widths))
r.ok("no script, image or style came from elsewhere",
     all(u.startswith(url.split("/?")[0]) for u in p.d.execute_script(
         "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")))

# --- printable: print media hides the toolbar and fits A4
p.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
r.ok("under print media the toolbar is hidden", not p.one("#report .toolbar").is_displayed())
r.ok("and the navigation too", not p.one("#nav").is_displayed())
if os.environ.get("HEARTH_SCREENSHOTS"):
    p.d.set_window_size(900, 1270)   # about A4's proportions at 96 dpi with margins
    p.screenshot(os.path.join(os.environ["HEARTH_SCREENSHOTS"], "ui-report.png"))
p.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
pdf = base64.b64decode(p.d.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
r.ok("it prints to a PDF", pdf.startswith(b"%PDF"))
boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
r.ok("on A4 pages (595 x 842 points)", boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5
                                                    for w, h in boxes), str(boxes))
r.ok("of at most two pages", 0 < len(boxes) <= 2, "%d pages" % len(boxes))

# --- another year, and a bad one
p.go("#/report/2025")
p.wait(lambda: "2025" in p.text("#report h2"), "the 2025 report")
r.eq("2025 had no visits", "0", p.text('#report .report-section[data-section="visits"] tr[data-key="count"] td.num'))
p.go("#/report/20x5")
r.contains("a bad year is refused in Chinese", "不是年份", p.text("#report"))
r.stop_ui(ui)
r.finish()
