/* attach.js: the attachments on a record's page of the hearth web app:
 * the list with thumbnails of images, 下载, 删除附件 and 上传附件, built with
 * app.js's helpers from /api/attachments; text only through textContent,
 * words from /api/attach-text (the gettext catalog). No inline script. */
"use strict";

(function () {
  var X = window.hearthPages = window.hearthPages || { routes: {}, nav: [], onRecord: [] };
  X.preload = X.preload || [];
  X.preload.push(function (api) { return api("/api/attach-text"); });
  function L() { return X.lib; }
  function T(key) { return L().S.text[key] || key; }

  function url(r, a, view) {
    return "/api/attachment?id=" + encodeURIComponent(r.id) + "&sha=" + a.sha256 + (view ? "&view=" + view : "");
  }

  /* The raw file as the body, its name and note in the address: no
   * multipart to parse on the other side. */
  function upload(r, file, note) {
    return fetch("/api/attach?id=" + encodeURIComponent(r.id) + "&name=" + encodeURIComponent(file.name) +
                 "&note=" + encodeURIComponent(note), {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": L().S.csrf },
      body: file
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0)
        return res.text().then(function (t) { throw { error: t || ("HTTP " + res.status) }; });
      return res.json().then(function (j) { if (!res.ok) throw j; return j; });
    });
  }

  function row(r, a, reload, canChange) {
    var el = L().el;
    var msg = el("td", { "class": "attach-msg" });
    var tags = el("td", { "class": "attach-state" });
    if (a.uploading) tags.appendChild(el("span", { "class": "tag uploading" }, a.uploading));
    if (a.missing) tags.appendChild(el("span", { "class": "tag missing" }, a.missing));
    var get = el("a", { "class": "download", href: url(r, a), download: a.name }, T("attach_download"));
    /* Content not on this machine is fetched from the server first; the
     * page says why when it cannot be (offline, not yet uploaded). */
    get.addEventListener("click", function (ev) {
      if (a.local) return;
      ev.preventDefault();
      L().clear(msg).appendChild(el("span", { "class": "hint" }, T("attach_fetching")));
      fetch(url(r, a), { credentials: "same-origin", cache: "no-store" }).then(function (res) {
        if (!res.ok) return res.json().then(function (j) { throw j; });
        a.local = true;
        L().clear(msg);
        location.href = url(r, a);
        reload();
      }).catch(function (e) {
        L().clear(msg).appendChild(L().banner((e && e.error) || String(e)));
      });
    });
    var del = canChange ? el("button", {
      type: "button", "class": "detach", onclick: function () {
        if (!window.confirm(T("attach_confirm_detach").replace("%1", a.name))) return;
        L().post("/api/detach", { id: r.id, name: a.name }).then(reload).catch(function (e) {
          L().clear(msg).appendChild(L().banner((e && e.error) || String(e)));
        });
      }
    }, T("attach_detach")) : null;
    return el("tr", { "data-name": a.name, "data-sha": a.sha256, "data-local": a.local ? "1" : "0" },
      el("td", { "class": "thumb" }, a.thumb ? el("img", { src: url(r, a, "thumb"), alt: a.name, "class": "thumb" }) : null),
      el("td", { "class": "attach-name" }, a.name),
      el("td", null, a.type_word), el("td", null, a.size_text), el("td", null, a.added_by),
      el("td", null, a.added_at), el("td", { "class": "attach-note" }, a.note), tags,
      el("td", null, get, " ", del), msg);
  }

  X.onRecord.push(function (box, r) {
    var el = L().el;
    var canChange = !r.deleted && L().S.session.role !== "auditor";
    var sec = el("section", { id: "attachments" }, el("h3", null, T("attach_title")),
      el("p", { "class": "hint" }, T("attach_help")));
    var list = el("div", { id: "attach-list" });
    sec.appendChild(list);
    box.appendChild(sec);

    function load() {
      L().api("/api/attachments?id=" + encodeURIComponent(r.id)).then(function (arr) {
        L().clear(list);
        if (!arr.length) { list.appendChild(el("p", { id: "attach-none" }, T("attach_none"))); }
        else {
          var tb = el("tbody");
          arr.forEach(function (a) { tb.appendChild(row(r, a, load, canChange)); });
          list.appendChild(el("table", { id: "attach-table" }, el("thead", null, el("tr", null,
            ["", T("attach_name"), T("attach_type"), T("attach_size"), T("attach_by"), T("attach_at"),
             T("attach_note"), T("attach_state"), "", ""].map(function (h) { return el("th", null, h); }))), tb));
        }
        list.setAttribute("data-loaded", String(Date.now()));
      }).catch(function (e) { L().clear(list).appendChild(L().banner((e && e.error) || String(e))); });
    }
    load();
    if (!canChange) return;

    var file = el("input", { type: "file", id: "attach-file" });
    var note = el("input", { type: "text", id: "attach-note", maxlength: "200" });
    var err = el("span", { id: "attach-error", "class": "error", role: "alert" });
    var done = el("span", { id: "attach-done", "class": "hint" });
    var btn = el("button", { type: "button", id: "attach-upload" }, T("attach_upload"));
    btn.addEventListener("click", function () {
      L().clear(err);
      L().clear(done);
      if (!file.files.length) { err.textContent = T("attach_no_file"); return; }
      btn.disabled = true;
      upload(r, file.files[0], note.value).then(function () {
        done.textContent = T("attach_stored");
        file.value = "";
        note.value = "";
        load();
      }).catch(function (e) {
        err.textContent = (e && e.error) || String(e);
      }).then(function () { btn.disabled = false; });
    });
    sec.appendChild(el("div", { id: "attach-form", "class": "toolbar" },
      el("label", null, T("attach_file") + " ", file), " ",
      el("label", null, T("attach_note") + " ", note), " ", btn, " ", err, done));
  });
})();
