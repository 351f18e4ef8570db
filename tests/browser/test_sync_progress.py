"""首页's 同步 shows live progress (issue 14): while a sync of many changes
runs, the page reads /api/sync-progress beside it and shows how many were
sent of how many, then the result summary. 6,000 members are imported in
the CLI first so the push takes long enough to be watched."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

N = 6000
r = uilib.Run("sync_progress")
port = r.server()
r.client("a", "branch1", port)
path = os.path.join(r.dir, "members.csv")
with open(path, "w", encoding="utf-8") as f:
    f.write("姓名,性别,入党日期,类别\n")
    for i in range(N):
        f.write("党员%04d,%s,2001-07-01,正式\n" % (i, "男" if i % 2 else "女"))
rc, out = r.h("a", "member", "import", path)
r.eq("the CLI imports the members", 0, rc)

url, ui = r.ui("a", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
r.ok("首页 counts the changes waiting", p.text("#count-pending").startswith(str(N)), p.text("#count-pending"))
# Every text the progress line shows, however briefly.
p.d.execute_script("""
  window.__seen = [];
  new MutationObserver(function () {
    var e = document.getElementById('sync-progress');
    if (e && window.__seen.indexOf(e.textContent) < 0) window.__seen.push(e.textContent);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});""")
# The push of N ops may outlast uilib's usual wait (under ASan, or on a
# loaded machine), so this one wait is longer, and still bounded.
p.go("#/")
n = int(p.one("#home[data-loaded]").get_attribute("data-syncs"))
p.one("#home[data-loaded] #sync").click()
sel = '#home[data-loaded][data-syncs="%d"] #sync-summary' % (n + 1)
summary = uilib.WebDriverWait(p.d, 180, poll_frequency=0.2).until(
    lambda d: (p.css(sel) or [None])[0]).text
seen = p.d.execute_script("return window.__seen")
r.contains("the summary says what was sent", "同步完成：推送 %d 条（采纳 %d" % (N, N), summary)
pushing = [s for s in seen if s.startswith("正在发送修改：")]
r.ok("the progress line showed the push under way (正在发送修改：n / %d)" % N,
     any(s.endswith(" / %d" % N) for s in pushing), str(seen))
r.ok("and it moved on while the sync ran", len(set(pushing)) >= 2, str(seen))
rc, out = r.h("a", "status", "--json")
r.contains("nothing is left to send", '"pending_ops":0,', out)
r.stop_ui(ui)
r.finish()
