"""A general branch's (党总支's) figures in `hearth ui`, in headless Chromium
under zh_CN: the navigation has 总支统计 and 总支报表 and none of the
committee's other screens (支部, 人员与证书, 冲突队列, 统计, 全委报表);
总支统计 shows g01 and the branches below it (b001's member counted), a
小计 row for g01 equal to the total, and no branch outside (b002); 总支报表
opens report.c's report titled with the 党总支's name."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("general_figures")
port = r.server()
r.client("adm", "admin", port)
r.client("b1", "branch1", port)
r.client("b2", "branch2", port)
r.client("g", "general1", port)
for args in (("add", "g01", "--name", "第一党总支"), ("add", "b009", "--name", "第九党支部"),
             ("rename", "b001", "--parent", "g01"), ("rename", "b009", "--parent", "g01")):
    rc, out = r.h("adm", "admin", "branch", *args)
    r.eq("admin branch " + " ".join(args), 0, rc)
r.h("b1", "member", "add", "--name", "张大爷", "--gender", "男", "--category", "正式")
r.h("b1", "member", "add", "--name", "李奶奶", "--gender", "女", "--category", "正式")
r.h("b2", "member", "add", "--name", "王秀英", "--gender", "女", "--category", "正式")
for c in ("b1", "b2"):
    r.h(c, "sync")
rc, out = r.h("g", "sync")
r.eq("the general branch syncs", 0, rc)

url, ui = r.ui("g", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
labels = [a.text for a in p.css("#nav a")]
for want in ("总支统计", "总支报表"):
    r.ok("the general's navigation has " + want, want in labels, labels)
for other in ("支部", "人员与证书", "冲突队列", "统计", "全委报表"):
    r.ok("... and not the committee's " + other, other not in labels, labels)

p.nav("总支统计")
p.one("#stats[data-loaded]")
r.contains("the page is titled 总支统计", "总支统计", p.text("#stats h2"))
r.contains("... says whose figures they are", "本党总支及其下属各支部", p.text("#stats"))
r.contains("... computed by the server", "由服务器根据其记录即时计算", p.text("#stats-sync"))
r.eq("b001's members are counted", "2",
     p.one('#stats-0 tr[data-branch="b001"] td[data-key="members"]').text)
r.ok("b009 and g01 have their rows", all(p.css('#stats-0 tr[data-branch="%s"]' % b) for b in ("b009", "g01")))
r.eq("no row for b002, outside the subtree", 0, len(p.css('#stats-0 tr[data-branch="b002"]')))
r.ok("no 第二党支部 anywhere", "第二党支部" not in p.text("#stats"))
sub = p.one('#stats-0 tr.subtotal[data-branch="g01"]')
r.contains("a 小计 row for g01 by name", "第一党总支", sub.text)
total = p.one("#stats-0 tr.total")
r.eq("... equal to the total", [td.text for td in total.find_elements(uilib.By.CSS_SELECTOR, "td")],
     [td.text for td in sub.find_elements(uilib.By.CSS_SELECTOR, "td")])

p.nav("总支报表")
p.one("#committee[data-loaded]")
r.contains("the report page is titled 总支报表", "总支报表", p.text("#committee h2"))
href = p.one("#report-open").get_attribute("href")
p.d.get(href)
p.wait(lambda: "第一党支部" in p.d.find_element(uilib.By.TAG_NAME, "body").text, "the report's text")
body = p.d.find_element(uilib.By.TAG_NAME, "body").text
r.contains("the report is the 党总支's", "第一党总支及所属支部党内关怀帮扶工作情况", body)
r.ok("... with its charts", len(p.css("svg")) > 0)
r.ok("... and nothing of b002", "第二党支部" not in body)

r.stop_ui(ui)
r.finish()
