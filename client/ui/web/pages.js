/* pages.js: the hearth web app's 回收站, 报表 and 导入/导出 screens and the
 * history on a record's page, built with app.js's helpers from the JSON
 * API; text only through textContent, words from /api/text (the gettext
 * catalog). No inline script, no remote code. */
"use strict";

(function () {
  var X = window.hearthPages = window.hearthPages || { routes: {}, nav: [], onRecord: [] };
  function L() { return X.lib; }
  function T(key) { return L().S.text[key] || key; }

  X.nav.push({ href: "#/trash", key: "nav_trash", hide: ["auditor"] });
  X.nav.push({ href: "#/report", key: "nav_report" });
  X.nav.push({ href: "#/import", key: "nav_import", roles: ["branch"] });   /* imports for the certificate's branch */

  /* ------------------------------------------------------------ history */

  X.onRecord.push(function (box, r) {
    var el = L().el;
    var sec = el("section", { id: "history" }, el("h3", null, T("history")),
      el("p", { "class": "hint" }, T("history_help")));
    var body = el("div", { id: "history-body" }, el("p", { "class": "hint" }, T("history_loading")));
    sec.appendChild(body);
    box.appendChild(sec);
    L().api("/api/history?id=" + encodeURIComponent(r.id)).then(function (list) {
      L().clear(body);
      if (!list.length) { body.appendChild(el("p", { id: "history-none" }, T("history_none"))); return; }
      var tb = el("tbody");
      list.forEach(function (e) {
        var ul = el("ul", { "class": "changes" });
        e.changes.forEach(function (c) {
          ul.appendChild(el("li", { "data-field": c.name }, c.label + "：" + c.old + " → " + c.new));
        });
        if (e.detail) ul.appendChild(el("li", { "class": "detail" }, e.detail));
        tb.appendChild(el("tr", { "data-seq": String(e.seq), "data-action": e.action },
          el("td", null, e.when), el("td", null, e.who, el("br"), el("span", { "class": "meta" }, e.where)),
          el("td", null, e.action_label), el("td", null, ul)));
      });
      body.appendChild(el("table", { id: "history-table" },
        el("thead", null, el("tr", null, el("th", null, T("when")), el("th", null, T("who")),
          el("th", null, T("action")), el("th", null, T("changes")))), tb));
      body.setAttribute("data-loaded", "1");
    }).catch(function (e) {
      L().clear(body).appendChild(L().banner((e && e.error) || String(e)));
      body.setAttribute("data-loaded", "error");
    });
  });

  /* --------------------------------------- 需谈话事项 and 联系记录 */

  /* A member's talks owed and contact log (member need / member note):
   * listed, and a form for each that adds one line. */
  X.onRecord.push(function (box, r) {
    if (r.kind !== "member" || r.deleted) return;
    var l = L(), el = l.el;
    var sec = el("section", { id: "member-log" });
    box.appendChild(sec);
    function input(id, type, opts) {
      return el("input", Object.assign({ type: type || "text", id: id }, opts || {}));
    }
    function table(id, cols, rows) {
      return el("table", { id: id },
        el("thead", null, el("tr", null, cols.map(function (c) { return el("th", null, T(c)); }))),
        el("tbody", null, rows.map(function (row) {
          return el("tr", null, cols.map(function (c) { return el("td", null, row[c] || ""); }));
        })));
    }
    function form(id, what, fields, title) {
      var msg = el("div", { "class": "form-msg" });
      var f = el("form", { id: id, "class": "member-log-form" }, el("h4", null, T(title)));
      var inputs = {};
      fields.forEach(function (name) {
        inputs[name] = name === "date" ? input(id + "-" + name, "date", { required: "required" })
          : input(id + "-" + name, "text", name === "reason" ? { list: "talk-triggers", required: "required" } : null);
        f.appendChild(el("label", { "for": id + "-" + name }, T(name)));
        f.appendChild(inputs[name]);
      });
      f.appendChild(el("button", { type: "submit", id: id + "-save" }, T(title)));
      f.appendChild(msg);
      f.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var body = { id: r.id, what: what };
        fields.forEach(function (name) { body[name] = inputs[name].value; });
        l.post("/api/member-log/add", body).then(function () {
          draw(T("saved"));
        }).catch(function (e) { l.clear(msg).appendChild(l.banner((e && e.error) || String(e))); });
      });
      return f;
    }
    function draw(note) {
      l.clear(sec);
      l.api("/api/member-log?id=" + encodeURIComponent(r.id)).then(function (j) {
        if (note) sec.appendChild(l.banner(note, "ok"));
        sec.appendChild(el("h3", null, T("needs")));
        sec.appendChild(el("p", { "class": "hint" }, T("needs_help")));
        sec.appendChild(j.talk_needs.length ? table("needs-table", ["date", "reason", "note", "by"], j.talk_needs)
          : el("p", { id: "needs-none" }, T("needs_none")));
        var dl = el("datalist", { id: "talk-triggers" });
        ["困难", "矛盾", "失误", "问题", "提拔", "思想波动"].forEach(function (t) { dl.appendChild(el("option", { value: t })); });
        sec.appendChild(dl);
        sec.appendChild(form("need-form", "need", ["reason", "date", "note", "by"], "need_add"));
        sec.appendChild(el("h3", null, T("contacts")));
        sec.appendChild(el("p", { "class": "hint" }, T("contacts_help")));
        sec.appendChild(j.contacts.length ? table("contacts-table", ["date", "channel", "note", "by"], j.contacts)
          : el("p", { id: "contacts-none" }, T("contacts_none")));
        sec.appendChild(form("contact-form", "contact", ["date", "channel", "note", "by"], "contact_add"));
        sec.setAttribute("data-loaded", "1");
      }).catch(l.failed(sec));
    }
    draw();
  });

  /* ------------------------------------------------------------- 回收站 */

  X.routes.trash = function () {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("nav_trash")));
    m.appendChild(el("p", { "class": "hint" }, T("trash_help")));
    var msg = el("div", { id: "trash-msg" });
    var box = el("div", { id: "trash" });
    m.appendChild(msg);
    m.appendChild(box);
    l.api("/api/trash").then(function (list) {
      if (!list.length) { box.appendChild(el("p", { id: "trash-empty" }, T("trash_empty"))); return; }
      var tb = el("tbody");
      list.forEach(function (it) {
        var btn = el("button", { type: "button", "class": "restore" }, T("restore"));
        btn.addEventListener("click", function () {
          btn.disabled = true;
          l.post("/api/restore", { id: it.id }).then(function () {
            X.routes.trash();
            document.getElementById("trash-msg").appendChild(l.banner(T("restored"), "ok"));
          }).catch(function (e) { btn.disabled = false; l.clear(msg).appendChild(l.banner((e && e.error) || String(e))); });
        });
        tb.appendChild(el("tr", { "data-id": it.id, "data-kind": it.kind },
          el("td", null, it.kind_label), el("td", null, l.link("#/record/" + it.id, it.title || "—")),
          el("td", null, it.updated_by), el("td", null, btn)));
      });
      box.appendChild(el("table", { id: "trash-table" },
        el("thead", null, el("tr", null, el("th", null, T("kind")), el("th", null, T("record")),
          el("th", null, T("changed_by")), el("th", null, T("restore")))), tb));
      box.setAttribute("data-loaded", "1");
    }).catch(l.failed(box));
  };

  /* --------------------------------------------------------------- 报表 */

  /* The figures grouped as the CLI's table groups them: a section, and in
   * it the plain figures and one bar chart per breakdown. Bars are CSS
   * widths; nothing is drawn by a library. */
  X.routes.report = function (year) {
    var l = L(), el = l.el, m = l.main();
    var page = el("div", { id: "report" });
    m.appendChild(page);
    l.api("/api/report" + (year ? "?year=" + encodeURIComponent(year) : "")).then(function (rep) {
      var yin = el("input", { type: "number", id: "report-year", min: "1900", max: "2199", value: String(rep.year) });
      var show = el("button", { type: "button", id: "report-show" }, T("show"));
      show.addEventListener("click", function () { location.hash = "#/report/" + yin.value; });
      var print = el("button", { type: "button", id: "report-print" }, T("print"));
      print.addEventListener("click", function () { window.print(); });
      var title = T("report_title").replace("%s", String(rep.year)) +
        (rep.branch ? "（" + (l.S.session.branch_name || rep.branch) + "）" : "");
      page.appendChild(el("h2", null, title));
      document.title = title + " · hearth";
      page.appendChild(el("p", { "class": "hint" }, T("report_help")));
      page.appendChild(el("div", { "class": "toolbar" }, el("label", { "for": "report-year" }, T("year")), " ", yin, " ", show, " ", print));
      var sections = [], bySec = {};
      rep.figures.forEach(function (f) {
        var s = bySec[f.section];
        if (!s) { s = bySec[f.section] = { label: f.section_label, key: f.section, plain: [], groups: [], byGroup: {} }; sections.push(s); }
        if (!f.group) { s.plain.push(f); return; }
        var g = s.byGroup[f.group];
        if (!g) { g = s.byGroup[f.group] = { label: f.group_label, key: f.group, figs: [] }; s.groups.push(g); }
        g.figs.push(f);
      });
      var grid = el("div", { "class": "report-grid" });
      sections.forEach(function (s) {
        var sec = el("section", { "class": "report-section", "data-section": s.key }, el("h3", null, s.label));
        if (s.plain.length) {
          var tb = el("tbody");
          s.plain.forEach(function (f) {
            tb.appendChild(el("tr", { "data-key": f.key }, el("td", null, f.label), el("td", { "class": "num" }, f.text)));
          });
          sec.appendChild(el("table", { "class": "figures" }, tb));
        }
        s.groups.forEach(function (g) {
          var max = 0;
          g.figs.forEach(function (f) { if (f.value > max) max = f.value; });
          var chart = el("div", { "class": "chart", "data-group": g.key }, el("h4", null, g.label));
          g.figs.forEach(function (f) {
            var fill = el("span", { "class": "fill" });
            fill.style.width = (max > 0 && f.value > 0 ? Math.max(1, Math.round(100 * f.value / max)) : 0) + "%";
            chart.appendChild(el("div", { "class": "bar-row", "data-key": f.key },
              el("span", { "class": "bar-label" }, f.label), el("span", { "class": "bar" }, fill),
              el("span", { "class": "bar-value" }, f.text)));
          });
          sec.appendChild(chart);
        });
        grid.appendChild(sec);
      });
      page.appendChild(grid);
      page.appendChild(el("p", { "class": "meta" }, rep.today));
      page.setAttribute("data-loaded", "1");
    }).catch(l.failed(page));
  };

  /* ------------------------------------------------------------ 导入/导出 */

  X.routes.import = function () {
    var l = L(), el = l.el, m = l.main();
    var kinds = l.S.kinds;
    m.appendChild(el("h2", null, T("import_title")));
    m.appendChild(el("p", { "class": "hint" }, T("import_help")));
    var sel = el("select", { id: "import-kind" }, kinds.map(function (k) { return el("option", { value: k.name }, k.label); }));
    var file = el("input", { type: "file", id: "import-file", accept: ".csv,.xlsx,text/csv" });
    var check = el("button", { type: "button", id: "import-check" }, T("import_check"));
    var doit = el("button", { type: "button", id: "import-do" }, T("import_do"));
    var out = el("div", { id: "import-result" });
    var csv = el("a", { "class": "button", id: "export-csv" }, T("export_csv"));
    var xlsx = el("a", { "class": "button", id: "export-xlsx" }, T("export_xlsx"));
    function links() {
      csv.setAttribute("href", "/api/export?format=csv&kind=" + encodeURIComponent(sel.value));
      xlsx.setAttribute("href", "/api/export?format=xlsx&kind=" + encodeURIComponent(sel.value));
    }
    sel.addEventListener("change", links);
    links();
    m.appendChild(el("div", { "class": "import-form" },
      el("div", { "class": "row" }, el("label", { "for": "import-kind" }, T("import_kind")), sel),
      el("div", { "class": "row" }, el("label", { "for": "import-file" }, T("import_file")), file),
      el("div", { "class": "toolbar" }, check, " ", doit),
      out,
      el("div", { "class": "toolbar" }, csv, " ", xlsx),
      el("p", { "class": "hint" }, T("export_help"))));
    var runs = 0;
    function send(dry) {
      var f = file.files && file.files[0];
      l.clear(out);
      if (!f) { out.appendChild(l.banner(T("import_no_file"))); out.setAttribute("data-runs", String(++runs)); return; }
      check.disabled = doit.disabled = true;
      f.arrayBuffer().then(function (buf) {
        return fetch("/api/import?kind=" + encodeURIComponent(sel.value) + "&name=" + encodeURIComponent(f.name) +
          (dry ? "&dry=1" : ""), {
          method: "POST", credentials: "same-origin", cache: "no-store",
          headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": l.S.csrf }, body: buf
        });
      }).then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, j: j }; }, function () { throw { error: "HTTP " + r.status }; });
      }).then(function (a) {
        var j = a.j;
        if (j.summary) out.appendChild(el("p", { "class": j.problems && j.problems.length ? "error" : "ok", id: "import-summary" }, j.summary));
        else if (j.error) out.appendChild(l.banner(j.error));
        (j.warnings || []).forEach(function (w) { out.appendChild(el("p", { "class": "hint import-warning" }, w)); });
        if (j.problems && j.problems.length) {
          var tb = el("tbody");
          j.problems.forEach(function (p) {
            tb.appendChild(el("tr", null, el("td", { "class": "num" }, String(p.row)), el("td", null, p.cell ? p.cell + " " + p.column : p.column),
              el("td", { "class": "message" }, p.message)));
          });
          out.appendChild(el("h3", null, T("import_bad")));
          out.appendChild(el("table", { id: "import-problems" },
            el("thead", null, el("tr", null, el("th", null, T("import_row")), el("th", null, T("import_column")),
              el("th", null, T("import_problem")))), tb));
        }
      }).catch(function (e) { out.appendChild(l.banner((e && e.error) || String(e))); })
        .then(function () { check.disabled = doit.disabled = false; out.setAttribute("data-runs", String(++runs)); });
    }
    check.addEventListener("click", function () { send(true); });
    doit.addEventListener("click", function () { send(false); });
  };
})();
