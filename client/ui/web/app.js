/* app.js: the hearth branch office web app. Every screen is built from the
 * JSON API (/api/...) with DOM calls and textContent only: record text never
 * becomes markup. No inline script, no remote code, no build step. */
"use strict";

/* Script errors of any of the page's files, counted on <html data-errors>
 * with the last message in data-error: a test in a browser without a
 * console reader (Firefox over Marionette) reads them there, and a person
 * sees nothing different. */
(function () {
  function seen(msg) {
    var h = document.documentElement;
    h.setAttribute("data-errors", String(Number(h.getAttribute("data-errors") || "0") + 1));
    h.setAttribute("data-error", String(msg).slice(0, 300));
  }
  window.addEventListener("error", function (e) { seen(e.message + " (" + e.filename + ":" + e.lineno + ")"); });
  window.addEventListener("unhandledrejection", function (e) {
    var r = e.reason;
    /* A refused API call the page shows is an answer, not a script error. */
    if (r && typeof r === "object" && typeof r.error === "string") return;
    seen("unhandled rejection: " + (r && r.stack ? r.stack : r));
  });
})();

(function () {
  var S = { csrf: "", kinds: [], byName: {}, session: {}, syncs: 0, lastSync: null, text: {} };
  /* What pages.js adds: its routes, nav links and record-page sections. */
  var X = window.hearthPages = window.hearthPages || { routes: {}, nav: [], onRecord: [] };

  /* ---------------------------------------------------------------- DOM */

  /* el("p", {class: "x"}, "text", child...): strings become text nodes. */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    var k, i, c;
    if (attrs) {
      for (k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === null || attrs[k] === undefined) continue;
        if (k === "onclick" || k === "oninput" || k === "onchange" || k === "onsubmit") e.addEventListener(k.slice(2), attrs[k]);
        else if (k === "text") e.textContent = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (i = 2; i < arguments.length; i++) {
      c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) e.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      else e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function main() { return clear(document.getElementById("main")); }
  function link(href, text, cls) { return el("a", { href: href, "class": cls }, text); }
  function banner(text, cls) { return el("p", { "class": "banner " + (cls || "error"), role: "alert" }, text); }

  /* ---------------------------------------------------------------- API */

  function api(path) {
    return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(answer);
  }
  function post(path, obj) {
    return fetch(path, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": S.csrf },
      body: JSON.stringify(obj || {})
    }).then(answer);
  }
  function answer(r) {
    var type = r.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") !== 0)
      return r.text().then(function (t) { throw { error: t || ("HTTP " + r.status) }; });
    return r.json().then(function (j) { if (!r.ok) throw j; return j; });
  }
  function failed(where) {
    return function (e) { where.appendChild(banner((e && e.error) || String(e))); };
  }

  /* --------------------------------------------------------------- time */

  function fmtTime(ms) {
    if (!ms) return "从未同步";
    var d = new Date(ms);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function today() {
    var d = new Date();
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }

  /* --------------------------------------------------------------- nav */

  function buildNav() {
    var nav = clear(document.getElementById("nav"));
    nav.appendChild(link("#/", "首页"));
    S.kinds.forEach(function (k) { nav.appendChild(link("#/list/" + k.name, k.label)); });
    /* Only the screens the certificate's role may use: an auditor only
     * reads, and pages say which roles they serve (roles) or not (hide).
     * An admin's or auditor's replica holds every branch's conflicts: the
     * committee's 冲突队列 (admin.js) shows them with their branch. */
    var role = S.session.role || "";
    if (role === "branch" || role === "general") nav.appendChild(link("#/conflicts", "冲突"));
    if (role !== "auditor") nav.appendChild(link("#/rejected", "被退回"));
    X.nav.forEach(function (n) {
      if ((n.roles && n.roles.indexOf(role) < 0) || (n.hide && n.hide.indexOf(role) >= 0)) return;
      nav.appendChild(link(n.href, S.text[n.key] || n.key));
    });
    var b = document.getElementById("branch");
    b.textContent = (S.session.name || "") + (S.session.branch ? " · " + S.session.branch : "");
  }

  /* --------------------------------------------------------------- 首页 */

  function count(label, n, href, id) {
    return el("div", { "class": "count" + (n ? " some" : ""), id: id },
      el("span", { "class": "n" }, String(n)), " ", href && n ? link(href, label) : label);
  }

  function showHome() {
    var m = main();
    m.appendChild(el("h2", null, "首页"));
    var box = el("div", { id: "home", "data-syncs": String(S.syncs) });
    m.appendChild(box);
    api("/api/home").then(function (h) {
      var st = h.status;
      box.appendChild(el("section", { "class": "counts" },
        count("待同步的修改", st.pending, null, "count-pending"),
        count("被退回", st.rejected, "#/rejected", "count-rejected"),
        count("冲突", st.conflicts, "#/conflicts", "count-conflicts")));
      var result = el("div", { id: "sync-result" });
      if (S.lastSync) result.appendChild(el("p", { "class": S.lastSync.ok ? "ok" : "error", id: "sync-summary" }, S.lastSync.text));
      var btn = el("button", { id: "sync", type: "button" }, "同步");
      btn.addEventListener("click", function () { runSync(btn, result); });
      box.appendChild(el("section", { "class": "sync" },
        el("span", { id: "last-sync" }, "上次同步：" + fmtTime(st.last_sync_ms)), " ", btn, result));

      box.appendChild(el("h3", null, "应办事项"));
      if (!h.due.length) {
        box.appendChild(el("p", { id: "due-none" }, "今天（" + h.today + "）没有应办事项。"));
      } else {
        var tb = el("tbody");
        h.due.forEach(function (it) {
          tb.appendChild(el("tr", { "class": it.overdue ? "overdue" : "" },
            el("td", null, it.label), el("td", null, it.member), el("td", null, it.reason),
            el("td", null, it.since), el("td", { "class": "num" }, String(it.days)), el("td", null, it.detail)));
        });
        box.appendChild(el("table", { id: "due" },
          el("thead", null, el("tr", null, el("th", null, "事项"), el("th", null, "党员"), el("th", null, "事由"),
            el("th", null, "起始"), el("th", null, "天数"), el("th", null, "说明"))), tb));
        if (h.due_total > h.due.length)
          box.appendChild(el("p", { "class": "hint", id: "due-more" }, "共 " + h.due_total + " 项，这里列出最紧急的 " + h.due.length + " 项。"));
      }
      box.appendChild(el("h3", null, h.year + " 年走访覆盖"));
      var ul = el("ul", { id: "campaigns" });
      h.campaigns.forEach(function (c) {
        ul.appendChild(el("li", null, c.occasion + "：已走访 " + c.visited + " / " + c.total +
          (c.missing.length ? "，未走访：" + c.missing.join("、") +
            (c.missing_total > c.missing.length ? " 等 " + c.missing_total + " 人" : "") : "")));
      });
      box.appendChild(ul);
      box.setAttribute("data-loaded", "1");
    }).catch(failed(box));
  }

  /* Runs the sync; the home page is drawn again with its summary, so the
   * counts and the last sync time are the new ones. */
  function runSync(btn, result) {
    btn.disabled = true;
    var prog = el("span", { "class": "progress", id: "sync-progress" }, S.text.sync_started || "正在同步…");
    var bar = el("span", { "class": "bar" }, el("span", { "class": "fill" }));
    clear(result).appendChild(el("div", { "class": "sync-live" }, prog, " ", bar));
    /* The sync runs on the server side of this app; its progress is read
     * beside it, so a long push shows how far it got. */
    var polling = true;
    function poll() {
      if (!polling) return;
      api("/api/sync-progress").then(function (g) {
        if (!polling || !g.running || !g.what) return;
        var t = g.what === "pushing" ? (S.text.sync_pushing || "%1/%2") : (S.text.sync_pulling || "%1");
        prog.textContent = t.replace("%1", String(g.done)).replace("%2", String(g.total));
        prog.setAttribute("data-what", g.what);
        bar.firstChild.style.width = g.total ? Math.min(100, Math.round(100 * g.done / g.total)) + "%" : "50%";
      }).catch(function () { }).then(function () { if (polling) setTimeout(poll, 150); });
    }
    setTimeout(poll, 50);
    post("/api/sync").then(function (s) {
      var line = "推送 " + s.pushed + " 条（采纳 " + s.applied + "，合并 " + s.merged + "，冲突 " + s.conflicts +
        "，退回 " + s.rejected + "），拉取 " + s.pulled + " 条";
      S.lastSync = { ok: s.ok, text: s.ok ? "同步完成：" + line : "同步未完成：" + s.message };
    }).catch(function (e) {
      S.lastSync = { ok: false, text: "同步未完成：" + ((e && e.error) || String(e)) };
    }).then(function () {
      polling = false;
      S.syncs++;
      if (location.hash === "" || location.hash === "#/") showHome();
    });
  }

  /* --------------------------------------------------------------- list */

  function fieldByName(k, name) {
    for (var i = 0; i < k.fields.length; i++) if (k.fields[i].name === name) return k.fields[i];
    return null;
  }
  function valueOf(fields, name) {
    for (var i = 0; i < fields.length; i++) if (fields[i].name === name) return fields[i];
    return null;
  }

  function showList(kind, q) {
    var k = S.byName[kind];
    var m = main();
    if (!k) { m.appendChild(banner("没有这类记录：" + kind)); return; }
    var cols = k.list.split(",").filter(function (n) { return fieldByName(k, n); });
    /* A replica of several branches (a general branch's, an admin's) says
     * whose each row is. */
    var multi = S.session.role === "general" || S.session.role === "admin";
    var search = el("input", { type: "search", id: "search", placeholder: "搜索", value: q || "" });
    var body = el("div", { id: "list-body" });
    var page = el("div", { id: "list-page", "data-kind": k.name, "data-label": k.label });
    page.appendChild(el("h2", null, k.label));
    page.appendChild(el("div", { "class": "toolbar" },
      /* A new record belongs to the certificate's branch: an admin's or an
       * auditor's has none (the API refuses it). */
      S.session.role === "branch" || S.session.role === "general" ? el("a", { href: "#/new/" + k.name, "class": "button", id: "new" }, "新增" + k.label) : null, " ", search));
    page.appendChild(body);
    m.appendChild(page);
    /* A page of rows at a time; 显示更多 asks for the next page. */
    function fetchRows(offset) {
      return api("/api/records?kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(search.value) +
        (offset ? "&offset=" + offset : ""));
    }
    function addRows(tb, rows) {
      rows.forEach(function (row) {
        var tr = el("tr", { "data-id": row.id });
        cols.forEach(function (c, i) {
          var v = valueOf(row.fields, c);
          var text = v ? v.text : "";
          tr.appendChild(el("td", null, i === 0 ? link("#/record/" + row.id, text || "（未填）") : text));
        });
        if (multi) tr.appendChild(el("td", { "class": "branch" }, branchLabel(row.branch)));
        tb.appendChild(tr);
      });
    }
    function more(tb, r) {
      var shown = r.offset + r.rows.length;
      if (r.total <= shown) return;
      var note = el("p", { id: "list-more" }, "共 " + r.total + " 条，已显示 " + shown + " 条。",
        el("button", { type: "button", id: "list-next", onclick: function () {
          fetchRows(shown).then(function (r2) { note.parentNode.removeChild(note); addRows(tb, r2.rows); more(tb, r2); })
            .catch(failed(body));
        } }, "显示更多"));
      body.appendChild(note);
    }
    function load() {
      clear(body);
      fetchRows(0).then(function (r) {
        if (!r.rows.length) { body.appendChild(el("p", null, "还没有记录。")); return; }
        var tb = el("tbody");
        addRows(tb, r.rows);
        body.appendChild(el("table", { id: "list" },
          el("thead", null, el("tr", null, cols.map(function (c) { return el("th", null, fieldByName(k, c).label); }),
            multi ? el("th", null, "支部") : null)), tb));
        more(tb, r);
      }).catch(failed(body));
    }
    var t = null;
    search.addEventListener("input", function () { clearTimeout(t); t = setTimeout(load, 200); });
    load();
  }

  /* A branch id with its name when the session knows it. */
  function branchLabel(id) {
    var b = (S.session.scope_branches || []).filter(function (x) { return x.id === id; })[0];
    return b && b.name ? id + " " + b.name : (id || "");
  }

  /* ------------------------------------------------------------- record */

  function showRecord(id, revealed) {
    var m = main();
    var box = el("div", { id: "record" });
    m.appendChild(box);
    (revealed ? post("/api/reveal", { id: id }) : api("/api/record?id=" + encodeURIComponent(id))).then(function (r) {
      var k = S.byName[r.kind];
      box.appendChild(el("h2", null, r.kind_label + (r.deleted ? "（已删除）" : "")));
      if (r.rejected) box.appendChild(banner("服务器退回了这条修改：" + r.rejected));
      /* A transfer's summary is a trace the sending branch keeps: say why,
       * and offer no edit or delete (the core refuses them too). */
      if (r.read_only) box.appendChild(el("p", { "class": "note", id: "read-only" }, r.read_only_why));
      var dl = el("dl", { "class": "fields" });
      var anyMasked = false;
      r.fields.forEach(function (f) {
        if (f.masked) anyMasked = true;
        dl.appendChild(el("dt", null, f.label));
        dl.appendChild(el("dd", { "data-field": f.name, "class": f.masked ? "masked" : "" }, f.text || "—"));
      });
      box.appendChild(dl);
      box.appendChild(el("p", { "class": "meta" }, "版本 " + r.rev + (r.updated_by ? "，最后修改：" + r.updated_by : "")));
      var bar = el("div", { "class": "toolbar" });
      if (anyMasked) bar.appendChild(el("button", { type: "button", id: "reveal", onclick: function () { showRecord(id, true); } }, "显示"));
      if (!r.deleted && !r.read_only) {
        bar.appendChild(link("#/edit/" + id, "编辑", "button"));
        bar.appendChild(el("button", {
          type: "button", id: "delete", onclick: function () {
            if (!confirm("确定删除这条" + r.kind_label + "记录？")) return;
            var done = function () { location.hash = "#/list/" + r.kind; };
            post("/api/delete", { id: id }).then(done).catch(function (e) {
              /* Others refer to this member: say which, and delete only on a second yes. */
              if (e && e.field === "confirm_referenced" && confirm(e.error + "\n\n仍要删除吗？"))
                return post("/api/delete", { id: id, confirm_referenced: true }).then(done);
              throw e;
            }).catch(failed(box));
          }
        }, "删除"));
      }
      bar.appendChild(link("#/list/" + (k ? k.name : ""), "返回列表"));
      box.appendChild(bar);
      X.onRecord.forEach(function (f) { f(box, r); });
      box.setAttribute("data-loaded", "1");
    }).catch(failed(box));
  }

  /* --------------------------------------------------------------- form */

  /* The member picker: search by name, choose from the results; the id
   * stays inside the page, people only see names. */
  function memberPicker(f, initial) {
    var chosen = (initial || []).slice();
    var wrap = el("div", { "class": "picker", id: "f-" + f.name });
    var chips = el("span", { "class": "chips" });
    var search = el("input", { type: "search", id: "f-" + f.name + "-search", placeholder: "输入姓名搜索党员" });
    var results = el("div", { "class": "results" });
    function draw() {
      clear(chips);
      chosen.forEach(function (c, i) {
        chips.appendChild(el("span", { "class": "chip" }, c.name, " ",
          el("button", { type: "button", "class": "remove", title: "移除", onclick: function () { chosen.splice(i, 1); draw(); } }, "×")));
      });
    }
    var asked = 0;
    function find() {
      var q = search.value, mine = ++asked;
      api("/api/members?q=" + encodeURIComponent(q)).then(function (list) {
        if (mine !== asked) return;             /* a newer search is on its way */
        clear(results);
        results.setAttribute("data-q", q);
        list.forEach(function (p) {
          results.appendChild(el("button", {
            type: "button", "class": "pick", onclick: function () {
              if (!f.repeated) chosen = [];
              if (!chosen.some(function (c) { return c.id === p.id; })) chosen.push({ id: p.id, name: p.name });
              search.value = ""; asked++; clear(results); results.removeAttribute("data-q"); draw();
            }
          }, p.name + (p.birth_date ? "（" + p.birth_date + "）" : "")));
        });
        if (!list.length) results.appendChild(el("span", { "class": "hint" }, "没有找到这个名字的党员"));
      });
    }
    var t = null;
    search.addEventListener("input", function () { clearTimeout(t); t = setTimeout(find, 150); });
    search.addEventListener("focus", find);
    wrap.appendChild(chips);
    wrap.appendChild(search);
    wrap.appendChild(results);
    draw();
    return { node: wrap, value: function () { return chosen.map(function (c) { return c.id; }).join(","); } };
  }

  function input(f, cur) {
    var id = "f-" + f.name;
    var v = cur ? (cur.values ? cur.values.join("，") : (cur.value || "")) : "";
    if (cur && cur.masked) {
      var ph = el("input", { type: "text", id: id, disabled: "disabled", value: "", placeholder: "已隐藏（在记录页点 显示 后可修改）" });
      return { node: ph, value: null };
    }
    if (f.type === "ref") {
      var p = memberPicker(f, cur && cur.refs ? cur.refs : []);
      return p;
    }
    if (f.type === "enum" && f.repeated) {
      var have = cur && cur.values ? cur.values : [];
      var box = el("span", { id: id, "class": "checks" });
      var boxes = f.options.map(function (o) {
        var c = el("input", { type: "checkbox", value: o.value, name: f.name });
        if (have.indexOf(o.value) >= 0) c.checked = true;
        box.appendChild(el("label", null, c, o.label));
        return c;
      });
      return { node: box, value: function () { return boxes.filter(function (c) { return c.checked; }).map(function (c) { return c.value; }).join(","); } };
    }
    var e;
    if (f.type === "enum") {
      e = el("select", { id: id, name: f.name }, el("option", { value: "" }, "（未选）"),
        f.options.map(function (o) { return el("option", { value: o.value }, o.label); }));
      e.value = v;
    } else if (f.type === "bool") {
      e = el("select", { id: id, name: f.name }, el("option", { value: "" }, "（未选）"),
        el("option", { value: "true" }, "是"), el("option", { value: "false" }, "否"));
      e.value = v;
    } else if (f.type === "text") {
      e = el("textarea", { id: id, name: f.name, rows: "4" });
      e.value = v;
    } else {
      var type = f.type === "date" ? "date" : f.type === "month" ? "month" : "text";
      /* Firefox has no month picker: <input type=month> is a bare text box
       * there, so the format is shown as the placeholder (what is typed is
       * the value Chromium's picker gives). */
      e = el("input", { type: type, id: id, name: f.name, inputmode: f.type === "money" || f.type === "int" ? "decimal" : null,
        placeholder: f.type === "month" ? "YYYY-MM" : null, pattern: f.type === "month" ? "[0-9]{4}-[0-9]{2}" : null });
      e.value = v;
    }
    var node = f.type === "money" ? el("span", { "class": "money" }, e, " 元") : e;
    return { node: node, value: function () { return e.value; } };
  }

  /* revealed: the record was read through 显示 (audited), so its
   * sensitive fields can be edited too. */
  function showForm(kind, id, revealed) {
    var m = main();
    var box = el("div", { id: "form-box" });
    m.appendChild(box);
    (!id ? Promise.resolve(null) : revealed ? post("/api/reveal", { id: id })
      : api("/api/record?id=" + encodeURIComponent(id))).then(function (r) {
      var k = S.byName[r ? r.kind : kind];
      if (!k) { box.appendChild(banner("没有这类记录：" + kind)); return; }
      box.appendChild(el("h2", null, (r ? "编辑" : "新增") + k.label));
      var note = el("div", { id: "form-note" });
      var top = el("div", { id: "form-error" });
      box.appendChild(note);
      box.appendChild(top);
      var form = el("form", { id: "record-form", novalidate: "novalidate" });
      var inputs = {}, errs = {}, orig = {};
      /* A general branch adds records to the branches below it: it picks
       * one (the replica's scope_branches); a branch adds to its own. */
      var scope = (S.session.scope_branches || []);
      var branchSel = null;
      if (!r && scope.length) {
        branchSel = el("select", { id: "f-branch" }, scope.map(function (b) {
          return el("option", { value: b.id }, b.id + (b.name ? " " + b.name : ""));
        }));
        errs.branch = el("span", { "class": "field-error", id: "err-branch", role: "alert" });
        form.appendChild(el("div", { "class": "row required" },
          el("label", { "for": "f-branch" }, "所属支部 *"), branchSel, errs.branch));
      }
      k.fields.forEach(function (f) {
        var cur = r ? valueOf(r.fields, f.name) : null;
        if (!r && f.type === "date" && f.name === "date") cur = { value: today() };
        var inp = input(f, cur);
        inputs[f.name] = inp;
        errs[f.name] = el("span", { "class": "field-error", id: "err-" + f.name, role: "alert" });
        form.appendChild(el("div", { "class": "row" + (f.required ? " required" : "") },
          el("label", { "for": "f-" + f.name }, f.label + (f.required ? " *" : "")), inp.node, errs[f.name]));
        orig[f.name] = inp.value ? inp.value() : null;
      });
      if (r && r.fields.some(function (f) { return f.masked; }))
        note.appendChild(el("p", { "class": "hint" }, "敏感字段已隐藏。",
          el("button", { type: "button", id: "reveal-form", onclick: function () { showForm(null, id, true); } },
            "显示"), "后可修改（显示会记入审计日志）。"));
      var save = el("button", { type: "submit", id: "save" }, r ? "保存修改" : "保存");
      form.appendChild(el("div", { "class": "toolbar" }, save, " ", link(r ? "#/record/" + r.id : "#/list/" + k.name, "取消")));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var fields = {};
        Object.keys(inputs).forEach(function (n) {
          if (!inputs[n].value) return;            /* masked: left as it is */
          var v = inputs[n].value();
          if (r ? v !== orig[n] : v !== "") fields[n] = v;
        });
        Object.keys(errs).forEach(function (n) { errs[n].textContent = ""; });
        clear(top);
        save.disabled = true;
        post("/api/save", { kind: k.name, id: r ? r.id : "", fields: fields, branch: branchSel ? branchSel.value : "" }).then(function (a) {
          location.hash = "#/record/" + a.id;
        }).catch(function (e) {
          if (e && e.field && errs[e.field]) errs[e.field].textContent = e.error;
          else top.appendChild(banner((e && e.error) || String(e)));
        }).then(function () { save.disabled = false; });
      });
      box.appendChild(form);
    }).catch(failed(box));
  }

  /* ------------------------------------------------------------ 冲突 */

  function showConflicts() {
    var m = main();
    m.appendChild(el("h2", null, "冲突"));
    var box = el("div", { id: "conflicts" });
    m.appendChild(box);
    api("/api/conflicts").then(function (list) {
      if (!list.length) { box.appendChild(el("p", { id: "no-conflicts" }, "没有待解决的冲突。")); return; }
      list.forEach(function (c) {
        var tb = el("tbody"), sets = {};
        c.fields.forEach(function (f) {
          sets[f.name] = el("input", { type: "text", "class": "set-value", "data-field": f.name, placeholder: "改为…" });
          tb.appendChild(el("tr", { "data-field": f.name }, el("td", null, f.label),
            el("td", { "class": "mine" }, f.mine), el("td", { "class": "theirs" }, f.theirs),
            el("td", null, c.delete_conflict ? "" : sets[f.name])));
        });
        var msg = el("div");
        function keep(side) {
          return function () {
            post("/api/resolve", { id: c.id, keep: side }).then(showConflicts).catch(failed(msg));
          };
        }
        /* 改为…: the typed values, read as the forms read them; fields left
         * empty keep the server's value. */
        function setValues() {
          var set = {}, any = false;
          Object.keys(sets).forEach(function (n) { if (sets[n].value !== "") { set[n] = sets[n].value; any = true; } });
          clear(msg);
          if (!any) { msg.appendChild(banner("请先在“改为…”一栏填写新的值。")); return; }
          post("/api/resolve", { id: c.id, set: set }).then(showConflicts).catch(failed(msg));
        }
        box.appendChild(el("section", { "class": "conflict", "data-id": c.id },
          el("h3", null, c.kind_label + " ", link("#/record/" + c.record, "查看记录")),
          c.delete_conflict ? el("p", null, "一方删除了这条记录，另一方修改了它。") : null,
          el("table", null, el("thead", null, el("tr", null, el("th", null, "字段"),
            el("th", null, "我的"), el("th", null, "服务器的" + (c.server_by ? "（" + c.server_by + "）" : "")),
            el("th", null, "改为…"))), tb),
          el("div", { "class": "toolbar" },
            el("button", { type: "button", "class": "keep-mine", onclick: keep("mine") }, "保留我的"), " ",
            el("button", { type: "button", "class": "keep-theirs", onclick: keep("theirs") }, "保留服务器的"), " ",
            c.delete_conflict ? null : el("button", { type: "button", "class": "set-values", onclick: setValues }, "改为所填的值")),
          msg));
      });
      box.appendChild(el("p", { "class": "hint" }, "解决后点首页的 同步 发送给服务器。"));
    }).catch(failed(box));
  }

  /* ---------------------------------------------------------- 被退回 */

  function showRejected() {
    var m = main();
    m.appendChild(el("h2", null, "被退回"));
    var box = el("div", { id: "rejected" });
    m.appendChild(box);
    api("/api/rejected").then(function (list) {
      if (!list.length) { box.appendChild(el("p", { id: "no-rejected" }, "没有被退回的修改。")); return; }
      list.forEach(function (it) {
        var msg = el("div");
        var name = it.fields && it.fields.length ? it.fields[0].text : "";
        box.appendChild(el("section", { "class": "rejected-item", "data-id": it.id },
          el("h3", null, it.kind_label + (name ? "：" + name : "")),
          el("p", { "class": "reason" }, "退回原因：" + it.reason + (it.label ? "（" + it.label + "）" : "")),
          el("div", { "class": "toolbar" },
            link("#/edit/" + it.id, "修改后重新提交", "button edit-resend"), " ",
            el("button", {
              type: "button", "class": "discard", onclick: function () {
                if (!confirm("放弃这条修改？放弃后它不会再发送。")) return;
                post("/api/discard", { id: it.id }).then(showRejected).catch(failed(msg));
              }
            }, "放弃")),
          msg));
      });
    }).catch(failed(box));
  }

  /* ------------------------------------------------------------- router */

  /* The window's title as index.html has it; a page that prints (报表)
   * names itself there, because browsers take it as the printed PDF's
   * title and file name. */
  var baseTitle = document.title;

  function route() {
    document.title = baseTitle;
    var h = location.hash.replace(/^#\/?/, "").split("/");
    var a = decodeURIComponent(h[1] || "");
    if (Object.prototype.hasOwnProperty.call(X.routes, h[0])) return X.routes[h[0]](a, h);
    switch (h[0]) {
      case "list": return showList(a, "");
      case "new": return showForm(a, null, false);
      case "edit": return showForm(null, a, false);
      case "record": return showRecord(a, false);
      case "conflicts": return showConflicts();
      case "rejected": return showRejected();
      default: return showHome();
    }
  }

  function start() {
    /* X.preload: words the other scripts fetch for their screens. */
    var more = (X.preload || []).map(function (f) { return f(api); });
    Promise.all([api("/api/session"), api("/api/kinds"), api("/api/text")].concat(more)).then(function (v) {
      S.session = v[0];
      S.csrf = v[0].csrf;
      S.kinds = v[1];
      S.text = v[2];
      v.slice(3).forEach(function (t) { Object.keys(t).forEach(function (k) { S.text[k] = t[k]; }); });
      S.kinds.forEach(function (k) { S.byName[k.name] = k; });
      buildNav();
      window.addEventListener("hashchange", route);
      route();
    }).catch(function (e) {
      main().appendChild(banner((e && e.error) || "无法连接本机的 hearth ui；请重新打开它打印的地址。"));
    });
  }

  /* pages.js builds its screens with the same helpers. */
  X.lib = { S: S, el: el, clear: clear, main: main, link: link, banner: banner, api: api, post: post,
            failed: failed, route: function () { route(); } };

  document.addEventListener("DOMContentLoaded", start);
})();
