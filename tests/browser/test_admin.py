"""The committee's screens of `hearth ui` with an admin certificate (issue
14 item 5), in headless Chromium under zh_CN: the navigation has the five
committee screens and no branch-only one; 支部 adds a branch below a 党总支
and renames it; 人员与证书 issues a certificate whose downloaded files
connect, then revokes it with a reason; 冲突队列 shows a conflict of b001
with both values side by side and resolves it, and after the syncs both
branch replicas have the kept value; 统计 shows the branches' figures and
全委报表 opens report.c's report."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402

r = uilib.Run("admin")
port = r.server()
r.client("a1", "branch1", port)
r.client("a2", "branch1", port)
r.client("adm", "admin", port)

# A conflict in b001: two replicas change one member's address.
rc, m = r.h("a1", "member", "add", "--name", "赵桂兰", "--gender", "女", "--join-date", "1985-07-01")
m = m.strip()
r.h("a1", "sync")
r.h("a2", "sync")
r.h("a1", "member", "edit", m, "--address", "东街1号", "--phone", "13911111111")
r.h("a2", "member", "edit", m, "--address", "西街2号", "--phone", "13922221111")
r.h("a1", "sync")
rc, out = r.h("a2", "sync")
r.ok("the second replica's sync meets the conflict", rc != 0 or "conflict" in out, out)
rc, out = r.h("adm", "sync")
r.ok("the admin replica syncs (exit 4: conflicts remain)", rc in (0, 4), out)

url, ui = r.ui("adm", env=uilib.ZH)
p = r.browser(url)
downloads = os.path.join(r.dir, "downloads")
os.makedirs(downloads)
p.d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})

# --- the navigation: the committee's screens, no branch-only one
p.one("#home[data-loaded]")
labels = [a.text for a in p.css("#nav a")]
for want in ("支部", "人员与证书", "冲突队列", "统计", "全委报表"):
    r.ok("the admin's navigation has " + want, want in labels, labels)
r.ok("no 导入/导出 for an admin (a new record needs the certificate's branch)",
     not any("导入" in t for t in labels), labels)
r.ok("no branch 冲突 screen beside 冲突队列", "冲突" not in labels, labels)
p.list_page("党员")
r.eq("no 新增 on a list for an admin", 0, len(p.css("#list-page #new")))

# --- 支部: add a branch below b001, then rename it
p.nav("支部")
p.one("#branches[data-loaded]")
r.contains("the list shows b001 by name", "第一党支部", p.text('#branches-table tr[data-id="b001"]'))
p.one("#b-id").send_keys("b 9")
p.one("#b-name").send_keys("第九党支部")
p.one("#b-save").click()
r.ok("a bad id is refused beside the id field", p.has_text("#b-id-err", "不是支部编号"))
p.one("#b-id").clear()
p.one("#b-id").send_keys("b009")
uilib.Select(p.one("#b-parent")).select_by_value("b001")
p.one("#b-save").click()
p.has_text("#branches-msg", "已新增支部")
row = p.one('#branches-table tr[data-id="b009"]')
r.eq("the new branch is listed by name", "第九党支部", row.find_element(uilib.By.CSS_SELECTOR, ".name").text)
r.contains("with its 党总支 by name", "第一党支部", row.find_element(uilib.By.CSS_SELECTOR, ".parent").text)
row.find_element(uilib.By.CSS_SELECTOR, ".edit-branch").click()
r.eq("rename fills the form", "第九党支部", p.one("#b-name").get_attribute("value"))
r.ok("the 党总支 edit switch is off for a new branch", not p.one("#b-general_edits").is_selected())
p.one("#b-name").clear()
p.one("#b-name").send_keys("第九党支部（机关）")
p.one("#b-save").click()
p.has_text("#branches-msg", "已保存支部")
p.has_text('#branches-table tr[data-id="b009"] .name', "第九党支部（机关）")
rc, out = r.h("adm", "admin", "branch", "list", "--json")
r.contains("the server has the renamed branch below b001",
           '"id":"b009","name":"第九党支部（机关）","parent":"b001"', out)
# b001, a 党总支 now, lets its general-branch certificates edit below it
p.one('#branches-table tr[data-id="b001"] .edit-branch').click()
p.one("#b-general_edits").click()
p.one("#b-save").click()
p.has_text('#branches-table tr[data-id="b001"] .edits', "可编辑下属支部")
rc, out = r.h("adm", "admin", "branch", "list", "--json")
r.contains("the server has b001's general_edits on", '"id":"b001","name":"第一党支部","parent":"","secretary":"","general_edits":true', out)

# --- 人员与证书: issue a certificate, download it, connect with it, revoke it
p.nav("人员与证书")
p.one("#people[data-loaded]")
p.one("#enroll-form")
uilib.Select(p.one("#e-branch")).select_by_value("b009")
p.one("#e-name").send_keys("王小明")
p.one("#e-do").click()
p.has_text("#enroll-result", "已为 王小明")
fp = p.one("#enroll-result[data-fp]").get_attribute("data-fp")
r.eq("the page shows the new certificate's fingerprint", 64, len(fp))
for f in ("cert", "key", "ca"):
    p.one('#enroll-files a[data-file="%s"]' % f).click()
names = {"cert": "b009.pem", "key": "b009.key", "ca": "ca.pem"}
deadline = time.time() + uilib.WAIT
while time.time() < deadline and not all(os.path.exists(os.path.join(downloads, n)) for n in names.values()):
    time.sleep(0.1)
for f, n in names.items():
    r.ok("the browser saved the %s as %s" % (f, n), os.path.exists(os.path.join(downloads, n)), str(os.listdir(downloads)))
v = subprocess.run(["openssl", "verify", "-CAfile", uilib.CERTS + "/ca.pem", os.path.join(downloads, "b009.pem")],
                   capture_output=True, text=True)
r.contains("the downloaded certificate chains to the committee CA", "OK", v.stdout)
init = p.text("#enroll-init")
r.contains("the page gives the hearth init line", "hearth init --server 127.0.0.1:%d --cert b009.pem" % port, init)
subprocess.run([uilib.HEARTH, "--home", r.home("new"), "init", "--server", "127.0.0.1:%d" % port,
                "--cert", os.path.join(downloads, "b009.pem"), "--key", os.path.join(downloads, "b009.key"),
                "--ca", os.path.join(downloads, "ca.pem")], check=True, stdout=subprocess.DEVNULL, env=uilib.ENV)
rc, out = r.h("new", "whoami", "--json")
r.contains("the downloaded files connect as 王小明 of b009", '"branch":"b009","name":"王小明"', out)
p.nav("支部")
p.nav("人员与证书")
row = p.one('#people-table tr[data-fp="%s"]' % fp)
r.contains("the new person is listed with the branch's name", "第九党支部（机关）", row.text)
row.find_element(uilib.By.CSS_SELECTOR, ".revoke").click()
row.find_element(uilib.By.CSS_SELECTOR, ".revoke-reason").send_keys("调离本单位")
row.find_element(uilib.By.CSS_SELECTOR, ".revoke-do").click()
p.d.switch_to.alert.accept()
p.has_text("#people-msg", "已吊销")
p.has_text('#people-table tr[data-fp="%s"] .status' % fp, "调离本单位")
rc, out = r.h("new", "whoami")
r.ok("the revoked certificate no longer connects", rc != 0, out)
r.contains("... and its holder is told why", "调离本单位", out)

# --- 冲突队列: both values side by side; take the other edit
p.nav("冲突队列")
p.one("#queue[data-loaded]")
r.eq("the queue is the server's, and the page says so", "以服务器当前保存的为准。",
     p.one('#queue-source[data-source="server"]').text)
sec = p.one('#queue .conflict[data-branch="b001"]')
r.contains("the conflict names its branch", "第一党支部", sec.text)
row = sec.find_element(uilib.By.CSS_SELECTOR, "tr[data-field=address]")
r.eq("the server's value", "东街1号", row.find_element(uilib.By.CSS_SELECTOR, ".theirs").text)
r.eq("beside the other edit", "西街2号", row.find_element(uilib.By.CSS_SELECTOR, ".mine").text)
r.contains("the field by its label", "地址", row.text)
phone = sec.find_element(uilib.By.CSS_SELECTOR, "tr[data-field=phone]")
r.eq("a sensitive value is masked", "139****1111", phone.find_element(uilib.By.CSS_SELECTOR, ".theirs").text)
btn = sec.find_element(uilib.By.CSS_SELECTOR, ".reveal-conflict")
r.eq("the reveal button says 显示, as on a record's page", "显示", btn.text)
btn.click()
p.has_text('#queue .conflict[data-branch="b001"] tr[data-field=phone] .mine', "13922221111")
r.eq("显示 shows the server's phone", "13911111111",
     p.one('#queue .conflict[data-branch="b001"] tr[data-field=phone] .theirs').text)
sec.find_element(uilib.By.CSS_SELECTOR, ".keep-other").click()
p.one("#queue-empty")
p.has_text("#queue", "已解决")
r.contains("the resolution goes out with the admin's next sync", "推送 1", p.sync())
r.h("a1", "sync")
r.h("a2", "sync")
for name in ("a1", "a2"):
    rc, out = r.h(name, "member", "show", m, "--json")
    r.contains("branch replica %s has the value the admin kept" % name, '"address":"西街2号"', out)
rc, out = r.h("adm", "audit", "log", "--json", "--record", m, "--action", "reveal")
r.contains("the page's 显示 is in the server's audit log (the server revealed it)",
           "conflict queue --reveal (answered by the server)", out)

# --- 统计 and 全委报表
p.nav("统计")
p.one("#stats[data-loaded]")
cell = p.one('#stats-0 tr[data-branch="b001"] td[data-key="members"]')
r.eq("统计 counts b001's member", "1", cell.text)
r.contains("统计 names the branches", "第九党支部（机关）", p.text("#stats-0"))
r.contains("... with a subtotal for b001 as a 党总支", "小计", p.text("#stats-0"))
r.contains("统计 says the server computed the figures", "由服务器根据其记录即时计算", p.text("#stats-sync"))
p.nav("全委报表")
href = p.one("#report-open").get_attribute("href")
p.d.get(href)
p.wait(lambda: "第一党支部" in p.d.find_element(uilib.By.TAG_NAME, "body").text, "the report's text")
r.ok("the report opens with its charts", len(p.css("svg")) > 0)
r.contains("... and says the server computed it", "数据来源：服务器",
           p.d.find_element(uilib.By.TAG_NAME, "body").text)

r.stop_ui(ui)
r.finish()
