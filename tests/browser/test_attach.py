"""Attachments on a record's page (issue 18 item 1, web part): a secretary
uploads a small PNG to a visit with a note, sees its thumbnail (served as
an image under the page's CSP), downloads it byte-identical, sees 上传中
until 同步 sends it; another office of the branch sees it 未下载 and
fetches it from the server with 下载; a renamed executable is refused next
to the field in Chinese; 删除附件 takes it off. Words from the catalog in
Chinese (zh_CN)."""
import hashlib
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uilib  # noqa: E402


def png(w, h):
    """A real w x h RGB PNG, so the browser decodes it (naturalWidth)."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = b"".join(b"\x00" + b"".join(bytes((x * 7 % 256, y * 5 % 256, 128)) for x in range(w))
                   for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


r = uilib.Run("attach")
port = r.server()
r.client("a", "branch1", port)
rc, m = r.h("a", "member", "add", "--name", "王秀英", "--gender", "女", "--join-date", "1998-07-01",
            "--category", "正式")
rc, v = r.h("a", "visit", "add", "--members", m.strip(), "--occasion", "春节", "--date", "2026-01-20",
            "--visitors", "张书记")
v = v.strip()
rc, _ = r.h("a", "sync")
r.eq("the visit reaches the server", 0, rc)

data = png(40, 30)
sha = hashlib.sha256(data).hexdigest()
photo = os.path.join(r.dir, "走访.png")
open(photo, "wb").write(data)
fake = os.path.join(r.dir, "setup.png")
open(fake, "wb").write(b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2000))

FETCH_BYTES = """
  var done = arguments[arguments.length - 1];
  fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) {
    var h = [r.status, r.headers.get('Content-Type'), r.headers.get('Content-Disposition'),
             r.headers.get('X-Content-Type-Options')];
    return r.arrayBuffer().then(function (b) { done(h.concat([Array.from(new Uint8Array(b))])); });
  }).catch(function (e) { done([0, String(e)]); });"""


def open_record(p):
    p.go("#/")
    p.one("#home[data-loaded]")
    p.go("#/record/" + v)
    p.one("#record[data-loaded]")
    return p.one("#attach-list[data-loaded]")


url, ui = r.ui("a", env=uilib.ZH)
p = r.browser(url)
p.one("#home[data-loaded]")
open_record(p)
r.eq("a visit without attachments says so in Chinese", "没有附件。", p.text("#attach-none"))
r.eq("the section is 附件", "附件", p.text("#attachments h3"))
r.eq("the button is 上传附件", "上传附件", p.text("#attach-upload"))

# --- a renamed executable is refused next to the field, in Chinese
p.one("#attach-upload").click()
r.eq("no file chosen: said next to the field", "请先选择文件。", p.text("#attach-error"))
p.one("#attach-file").send_keys(fake)
p.one("#attach-upload").click()
p.wait(lambda: p.text("#attach-error") != "", "the refusal of the renamed executable")
r.eq("a renamed .exe is refused by its content, in Chinese",
     "setup.png 不是 JPEG、PNG、PDF 或办公文档（Word、Excel、PowerPoint）；文件类型按内容判断，而不是按文件名",
     p.text("#attach-error"))
r.ok("nothing was attached", bool(p.css("#attach-none")))

# --- the PNG: uploaded, its thumbnail drawn, 上传中 until a sync
p.d.execute_script("document.getElementById('attach-file').value = ''")
p.one("#attach-file").send_keys(photo)
p.one("#attach-note").send_keys("春节走访合影")
p.one("#attach-upload").click()
row = p.one('#attach-table tr[data-sha="%s"]' % sha)
r.eq("上传附件 says it goes at the next sync", "已添加附件，下次同步时上传到服务器。", p.text("#attach-done"))
r.contains("the row names the file", "走访.png", row.text)
r.contains("its note", "春节走访合影", row.text)
r.contains("its type", "PNG", row.text)
r.contains("上传中 until the server holds it", "上传中", row.text)
img = p.one('#attach-table tr[data-sha="%s"] img.thumb' % sha)
p.wait(lambda: p.d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img),
       "the thumbnail to load")
r.eq("the thumbnail is the image, decoded by the browser under the page's CSP", [40, 30],
     p.d.execute_script("return [arguments[0].naturalWidth, arguments[0].naturalHeight]", img))
href = p.one('#attach-table tr[data-sha="%s"] a.download' % sha).get_attribute("href")
got = p.d.execute_async_script(FETCH_BYTES, href)
r.eq("下载 is 200", 200, got[0])
r.eq("as a PNG", "image/png", got[1])
r.contains("saved as a file, not shown", "attachment;", got[2] or "")
r.eq("nosniff", "nosniff", got[3])
r.eq("byte-identical", sha, hashlib.sha256(bytes(got[4] if len(got) > 4 else [])).hexdigest())
rc, out = r.h("a", "visit", "attachments", v, "--json")
r.contains("the CLI sees the attachment", '"name":"走访.png"', out.replace(" ", ""))

summary = p.sync()
r.contains("同步 sends the edit", "采纳", summary)
open_record(p)
row = p.one('#attach-table tr[data-sha="%s"]' % sha)
r.ok("after 同步 it is no longer 上传中", "上传中" not in row.text, row.text)

# --- another office of the branch: 未下载, then 下载 fetches it
r.client("b", "branch1", port)
rc, _ = r.h("b", "sync")
r.eq("the second office syncs", 0, rc)
url_b, ui_b = r.ui("b", env=uilib.ZH)
q = r.browser(url_b)
q.one("#home[data-loaded]")
open_record(q)
row = q.one('#attach-table tr[data-sha="%s"]' % sha)
r.contains("the other office sees 未下载", "未下载", row.text)
r.ok("and no thumbnail of what it lacks", not q.css('#attach-table tr[data-sha="%s"] img.thumb' % sha))
q.one('#attach-table tr[data-sha="%s"] a.download' % sha).click()
q.one('#attach-table tr[data-sha="%s"][data-local="1"]' % sha)
row = q.one('#attach-table tr[data-sha="%s"]' % sha)
r.ok("下载 there fetched it from the server: no 未下载", "未下载" not in row.text, row.text)
q.one('#attach-table tr[data-sha="%s"] img.thumb' % sha)
href = q.one('#attach-table tr[data-sha="%s"] a.download' % sha).get_attribute("href")
got = q.d.execute_async_script(FETCH_BYTES, href)
r.eq("the fetched copy is byte-identical too", sha, hashlib.sha256(bytes(got[4] if len(got) > 4 else [])).hexdigest())
rc, out = r.h("a", "audit", "log", "--limit", "20")
r.contains("the server audited the download", "attachment.download", out)
r.stop_ui(ui_b)

# --- 删除附件
p.d.execute_script("window.confirm = function () { return true; }")
p.one('#attach-table tr[data-sha="%s"] button.detach' % sha).click()
p.one("#attach-none")
rc, out = r.h("a", "visit", "attachments", v)
r.eq("删除附件 takes it off the record", "no attachments", out.strip())
r.stop_ui(ui)
r.finish()
