/* admin.js: the hearth web app's committee screens (支部, 人员与证书, 冲突队列,
 * 统计, 全委报表) for an admin certificate (an auditor's reads them; a
 * general branch's has 统计 and the report over its subtree, as 总支统计 and
 * 总支报表, and no other), built
 * with app.js's helpers from /api/admin/...; text only through
 * textContent, words from /api/admin/text (the gettext catalog). */
"use strict";

(function () {
  var X = window.hearthPages = window.hearthPages || { routes: {}, nav: [], onRecord: [] };
  X.preload = X.preload || [];
  function L() { return X.lib; }
  function T(key) { return L().S.text[key] || key; }
  function F(key, v) { return T(key).replace("%s", v); }
  function isAdmin() { return L().S.session.role === "admin"; }
  /* A general branch (党总支) sees the figures of its subtree, under its own words. */
  function isGeneral() { return L().S.session.role === "general"; }

  var committee = ["admin", "auditor"];
  X.preload.push(function (api) { return api("/api/admin/text"); });
  X.nav.push({ href: "#/branches", key: "admin_nav_branches", roles: committee });
  X.nav.push({ href: "#/people", key: "admin_nav_people", roles: committee });
  X.nav.push({ href: "#/queue", key: "admin_nav_queue", roles: committee });
  X.nav.push({ href: "#/stats", key: "admin_nav_stats", roles: committee });
  X.nav.push({ href: "#/committee", key: "admin_nav_committee", roles: committee });
  X.nav.push({ href: "#/stats", key: "admin_nav_general_stats", roles: ["general"] });
  X.nav.push({ href: "#/committee", key: "admin_nav_general_report", roles: ["general"] });

  function err(e) { return (e && e.error) || String(e); }

  /* A labelled input row whose error shows beside it (data-error). */
  function row(id, label, input) {
    var el = L().el;
    return el("div", { "class": "row" }, el("label", { "for": id }, label), input,
      el("span", { "class": "field-error", id: id + "-err", role: "alert" }));
  }

  /* Shows a refusal next to its field (ids prefix + field), else at the top. */
  function showError(prefix, top, e) {
    var f = e && e.field ? document.getElementById(prefix + e.field + "-err") : null;
    if (f) f.textContent = err(e);
    else L().clear(top).appendChild(L().banner(err(e)));
  }
  function clearErrors(form, top) {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (s) { s.textContent = ""; });
    L().clear(top);
  }

  function branchOptions(list, none) {
    var el = L().el;
    var opts = none ? [el("option", { value: "" }, none)] : [];
    return opts.concat(list.map(function (b) { return el("option", { value: b.id }, b.name + "（" + b.id + "）"); }));
  }

  /* ---------------------------------------------------------------- 支部 */

  X.routes.branches = function () {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("admin_nav_branches")));
    m.appendChild(el("p", { "class": "hint" }, T("admin_branches_help")));
    var msg = el("div", { id: "branches-msg" });
    var box = el("div", { id: "branches" });
    m.appendChild(msg);
    m.appendChild(box);
    l.api("/api/admin/branches").then(function (list) {
      var editing = null;
      var fid = el("input", { type: "text", id: "b-id", maxlength: "63" });
      var fname = el("input", { type: "text", id: "b-name" });
      var fparent = el("select", { id: "b-parent" }, branchOptions(list, T("admin_branch_none")));
      var fsec = el("input", { type: "text", id: "b-secretary" });
      var fedits = el("input", { type: "checkbox", id: "b-general_edits" });
      var editsRow = row("b-general_edits", T("admin_general_edits"), fedits);
      editsRow.hidden = true;
      var title = el("h3", { id: "branch-form-title" }, T("admin_branch_add"));
      var save = el("button", { type: "submit", id: "b-save" }, T("admin_branch_save"));
      var top = el("div", { id: "branch-form-error" });
      var form = el("form", { id: "branch-form", novalidate: "novalidate" }, title,
        el("p", { "class": "hint" }, T("admin_branch_add_help")), top,
        row("b-id", T("admin_branch_id"), fid), row("b-name", T("admin_branch_name"), fname),
        row("b-parent", T("admin_branch_parent"), fparent), row("b-secretary", T("admin_branch_secretary"), fsec), editsRow,
        el("div", { "class": "toolbar" }, save));
      function edit(b) {
        editing = b;
        title.textContent = T("admin_branch_edit") + "：" + b.name;
        fid.value = b.id;
        fid.disabled = true;
        fname.value = b.name;
        fparent.value = b.parent || "";
        fsec.value = b.secretary || "";
        fedits.checked = !!b.general_edits;
        editsRow.hidden = false;
        fname.focus();
      }
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        clearErrors(form, top);
        var body = { id: fid.value.trim(), create: !editing, name: fname.value.trim(), parent: fparent.value,
                     secretary: fsec.value.trim() };
        if (editing && body.name === "") delete body.name;
        if (editing && fedits.checked !== !!editing.general_edits) body.general_edits = fedits.checked;
        save.disabled = true;
        l.post("/api/admin/branch", body).then(function () {
          var said = editing ? T("admin_branch_saved") : T("admin_branch_added");
          X.routes.branches();
          document.getElementById("branches-msg").appendChild(l.banner(said, "ok"));
        }).catch(function (e) { showError("b-", top, e); }).then(function () { save.disabled = false; });
      });

      if (!list.length) box.appendChild(el("p", { id: "no-branches" }, T("admin_no_branches")));
      var tb = el("tbody");
      list.forEach(function (b) {
        tb.appendChild(el("tr", { "data-id": b.id },
          el("td", null, b.id), el("td", null, el("span", { "class": "name" }, b.name),
            b.general_edits ? el("span", { "class": "hint edits" }, "（" + T("admin_general_edits_on") + "）") : null),
          el("td", { "class": "parent" }, b.parent ? (b.parent_name || b.parent) + "（" + b.parent + "）" : ""),
          el("td", null, b.secretary),
          isAdmin() ? el("td", null, el("button", { type: "button", "class": "edit-branch", onclick: function () { edit(b); } }, T("admin_branch_edit"))) : null));
      });
      if (list.length)
        box.appendChild(el("table", { id: "branches-table" },
          el("thead", null, el("tr", null, el("th", null, T("admin_branch_id")), el("th", null, T("admin_branch_name")),
            el("th", null, T("admin_branch_parent")), el("th", null, T("admin_branch_secretary")),
            isAdmin() ? el("th", null, "") : null)), tb));
      if (isAdmin()) box.appendChild(form);
      else box.appendChild(el("p", { "class": "hint" }, T("admin_read_only")));
      box.setAttribute("data-loaded", "1");
    }).catch(l.failed(box));
  };

  /* ---------------------------------------------------------- 人员与证书 */

  X.routes.people = function () {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("admin_nav_people")));
    m.appendChild(el("p", { "class": "hint" }, T("admin_people_help")));
    var msg = el("div", { id: "people-msg" });
    var box = el("div", { id: "people" });
    var enrollBox = el("div", { id: "enroll" });
    m.appendChild(msg);
    m.appendChild(box);
    m.appendChild(enrollBox);
    l.api("/api/admin/principals").then(function (list) {
      var tb = el("tbody");
      list.forEach(function (p) {
        var cell = el("td", { "class": "actions" });
        if (isAdmin() && !p.revoked) {
          var reason = el("input", { type: "text", "class": "revoke-reason", placeholder: T("admin_revoke_reason") });
          var out = el("div");
          var go = el("button", { type: "button", "class": "revoke-do" }, T("admin_revoke"));
          var form = el("span", { "class": "revoke-form", hidden: "hidden" }, reason, " ", go, out);
          go.addEventListener("click", function () {
            if (!confirm(T("admin_revoke_confirm"))) return;
            go.disabled = true;
            l.post("/api/admin/revoke", { fingerprint: p.fingerprint, reason: reason.value }).then(function () {
              X.routes.people();
              document.getElementById("people-msg").appendChild(l.banner(T("admin_revoked_done"), "ok"));
            }).catch(function (e) { go.disabled = false; l.clear(out).appendChild(l.banner(err(e))); });
          });
          cell.appendChild(el("button", { type: "button", "class": "revoke", onclick: function () { form.hidden = false; reason.focus(); } }, T("admin_revoke")));
          cell.appendChild(form);
        }
        tb.appendChild(el("tr", { "data-fp": p.fingerprint, "class": p.revoked ? "revoked" : "" },
          el("td", null, p.name), el("td", null, p.role_label),
          el("td", null, p.branch ? (p.branch_name ? p.branch_name + "（" + p.branch + "）" : p.branch) : ""),
          el("td", { "class": "fp" }, p.fingerprint.slice(0, 16) + "…"), el("td", null, p.last_seen),
          el("td", { "class": "num" }, String(p.logins)),
          el("td", { "class": "status" }, p.revoked ? T("admin_revoked") + "：" + p.revoked_reason + "（" + p.revoked_at + "，" + p.revoked_by + "）" : T("admin_valid")),
          isAdmin() ? cell : null));
      });
      box.appendChild(el("table", { id: "people-table" },
        el("thead", null, el("tr", null, el("th", null, T("admin_person")), el("th", null, T("admin_role")), el("th", null, T("admin_branch")),
          el("th", null, T("admin_fingerprint")), el("th", null, T("admin_last_seen")), el("th", null, T("admin_logins")),
          el("th", null, T("admin_status")), isAdmin() ? el("th", null, "") : null)), tb));
      box.setAttribute("data-loaded", "1");
      if (isAdmin()) enrollForm(enrollBox);
      else box.appendChild(el("p", { "class": "hint" }, T("admin_read_only")));
    }).catch(l.failed(box));
  };

  function enrollForm(box) {
    var l = L(), el = l.el;
    l.api("/api/admin/branches").catch(function () { return []; }).then(function (branches) {
      var role = el("select", { id: "e-role" }, el("option", { value: "branch" }, T("admin_role_branch")),
        el("option", { value: "admin" }, T("admin_role_admin")), el("option", { value: "auditor" }, T("admin_role_auditor")));
      var branch = el("select", { id: "e-branch" }, branchOptions(branches, null));
      var name = el("input", { type: "text", id: "e-name" });
      var caKey = el("input", { type: "text", id: "e-ca_key" });
      var go = el("button", { type: "submit", id: "e-do" }, T("admin_enroll_do"));
      var top = el("div", { id: "enroll-error" });
      var result = el("div", { id: "enroll-result" });
      var branchRow = row("e-branch", T("admin_branch"), branch);
      role.addEventListener("change", function () { branchRow.hidden = role.value !== "branch"; });
      var form = el("form", { id: "enroll-form", novalidate: "novalidate" },
        el("h3", null, T("admin_enroll")), el("p", { "class": "hint" }, T("admin_enroll_help")), top,
        row("e-role", T("admin_role"), role), branchRow, row("e-name", T("admin_person"), name),
        row("e-ca_key", T("admin_enroll_ca_key"), caKey), el("div", { "class": "toolbar" }, go));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        clearErrors(form, top);
        l.clear(result);
        go.disabled = true;
        l.post("/api/admin/enroll", { role: role.value, branch: role.value === "branch" ? branch.value : null,
                                      name: name.value.trim(), ca_key: caKey.value.trim() }).then(function (r) {
          var who = r.name + "（" + r.role_label + (r.branch ? "，" + (r.branch_name || r.branch) : "") + "）";
          result.appendChild(l.banner(F(r.signed ? "admin_enroll_done" : "admin_enroll_csr", who), "ok"));
          if (r.warning) result.appendChild(l.banner(r.warning, "error"));
          if (r.signed) result.appendChild(el("p", null, T("admin_fingerprint") + "：", el("code", { id: "enroll-fp" }, r.fingerprint),
            "，" + F("admin_enroll_until", r.until)));
          result.appendChild(el("p", { "class": "hint" }, T("admin_enroll_files")));
          var links = el("div", { "class": "toolbar", id: "enroll-files" });
          r.files.forEach(function (f) {
            links.appendChild(el("a", { "class": "button download", "data-file": f.file, download: f.name,
              href: "/api/admin/enrolled?file=" + encodeURIComponent(f.file) }, T("admin_file_" + f.file) + "（" + f.name + "）"));
          });
          result.appendChild(links);
          if (r.sign) result.appendChild(el("div", null, el("p", null, T("admin_enroll_sign")), el("pre", { id: "enroll-sign" }, r.sign)));
          result.appendChild(el("p", null, T("admin_enroll_init")));
          result.appendChild(el("pre", { id: "enroll-init" }, r.init));
          result.setAttribute("data-fp", r.fingerprint || "");
        }).catch(function (e) { showError("e-", top, e); }).then(function () { go.disabled = false; });
      });
      box.appendChild(form);
      box.appendChild(result);
    });
  }

  /* ------------------------------------------------------------ 冲突队列 */

  X.routes.queue = function (branch) {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("admin_nav_queue")));
    m.appendChild(el("p", { "class": "hint" }, T("admin_queue_help")));
    var box = el("div", { id: "queue" });
    m.appendChild(box);
    l.api("/api/admin/conflicts" + (branch ? "?branch=" + encodeURIComponent(branch) : "")).then(function (q) {
      var pick = el("select", { id: "queue-branch" }, branchOptions(q.branches, T("admin_queue_all")));
      pick.value = branch || "";
      pick.addEventListener("change", function () { location.hash = "#/queue/" + encodeURIComponent(pick.value); });
      box.appendChild(el("div", { "class": "toolbar" }, el("label", { "for": "queue-branch" }, T("admin_branch")), " ", pick));
      box.appendChild(el("p", { id: "queue-source", "class": "hint", "data-source": q.source },
        T(q.source === "server" ? "admin_queue_from_server" : "admin_queue_from_replica")));
      if (!q.conflicts.length) box.appendChild(el("p", { id: "queue-empty" }, T("admin_queue_empty")));
      q.conflicts.forEach(function (c) {
        var tb = el("tbody"), sets = {};
        var msg = el("div");
        c.fields.forEach(function (f) {
          sets[f.name] = el("input", { type: "text", "class": "set-value", "data-field": f.name, placeholder: T("admin_set_value") });
          tb.appendChild(el("tr", { "data-field": f.name }, el("td", null, f.label),
            el("td", { "class": "theirs" }, f.server), el("td", { "class": "mine" }, f.other),
            q.can_resolve && !c.delete_conflict ? el("td", null, sets[f.name]) : null));
        });
        function send(body) {
          body.id = c.id;
          l.post("/api/admin/resolve", body).then(function () {
            X.routes.queue(branch);
            document.getElementById("queue").insertBefore(l.banner(T("admin_resolved"), "ok"), document.getElementById("queue").firstChild);
          }).catch(function (e) { l.clear(msg).appendChild(l.banner(err(e))); });
        }
        /* 显示: the values unmasked, by the server (which audits it) or after
         * the replica queued the reveal event. */
        var reveal = c.fields.some(function (f) { return f.masked; }) ? el("button", {
          type: "button", "class": "reveal-conflict", onclick: function () {
            l.post("/api/admin/reveal", { id: c.id, position: c.position }).then(function (o) {
              o.fields.forEach(function (f) {
                var tr = tb.querySelector('tr[data-field="' + f.name + '"]');
                if (!tr) return;
                tr.querySelector(".theirs").textContent = f.server;
                tr.querySelector(".mine").textContent = f.other;
              });
              reveal.disabled = true;
            }).catch(function (e) { l.clear(msg).appendChild(l.banner(err(e))); });
          }
        }, T("admin_reveal")) : null;
        var tools = q.can_resolve ? el("div", { "class": "toolbar" },
          el("button", { type: "button", "class": "keep-server", onclick: function () { send({ keep: "server" }); } }, T("admin_keep_server")), " ",
          el("button", { type: "button", "class": "keep-other", onclick: function () { send({ keep: "other" }); } }, T("admin_keep_other")), " ",
          c.delete_conflict ? null : el("button", {
            type: "button", "class": "set-values", onclick: function () {
              var set = {}, any = false;
              Object.keys(sets).forEach(function (n) { if (sets[n].value !== "") { set[n] = sets[n].value; any = true; } });
              if (!any) { l.clear(msg).appendChild(l.banner(T("admin_set_empty"))); return; }
              send({ set: set });
            }
          }, T("admin_set_values"))) : null;
        box.appendChild(el("section", { "class": "conflict", "data-id": c.id, "data-branch": c.branch },
          el("h3", null, c.kind_label + " · " + (c.branch_name || c.branch) + " ", l.link("#/record/" + c.record, T("admin_view_record"))),
          el("p", { "class": "meta" }, c.when),
          c.delete_conflict ? el("p", null, T("admin_delete_conflict")) : null,
          reveal ? el("p", { "class": "hint" }, T("admin_reveal_help"), " ", reveal) : null,
          el("table", null, el("thead", null, el("tr", null, el("th", null, T("admin_field")),
            el("th", null, T("admin_server_value") + (c.server_by ? "（" + F("admin_by", c.server_by) + "）" : "")),
            el("th", null, T("admin_other_value") + (c.other_by ? "（" + F("admin_by", c.other_by) + "）" : "")),
            q.can_resolve && !c.delete_conflict ? el("th", null, T("admin_set_value")) : null)), tb),
          tools, msg));
      });
      box.setAttribute("data-loaded", "1");
    }).catch(l.failed(box));
  };

  /* ---------------------------------------------------------------- 统计 */

  function yearBar(id, year, go) {
    var el = L().el;
    var yin = el("input", { type: "number", id: id, min: "1921", max: "2199", value: String(year) });
    var show = el("button", { type: "button", id: id + "-show" }, T("admin_show"));
    show.addEventListener("click", function () { go(yin.value); });
    return el("div", { "class": "toolbar" }, el("label", { "for": id }, T("admin_year")), " ", yin, " ", show);
  }

  X.routes.stats = function (year) {
    var l = L(), el = l.el, m = l.main();
    var page = el("div", { id: "stats" });
    m.appendChild(page);
    l.api("/api/admin/stats" + (year ? "?year=" + encodeURIComponent(year) : "")).then(function (s) {
      page.appendChild(el("h2", null, T(isGeneral() ? "admin_nav_general_stats" : "admin_nav_stats") + " " + s.year));
      page.appendChild(el("p", { "class": "hint" }, T(isGeneral() ? "admin_general_stats_help" : "admin_stats_help")));
      page.appendChild(yearBar("stats-year", s.year, function (y) { location.hash = "#/stats/" + y; }));
      if (s.source === "server") {
        page.appendChild(el("p", { "class": "meta", id: "stats-sync", "data-source": "server" }, T("admin_from_server")));
      } else {
        page.appendChild(el("p", { "class": "meta", id: "stats-sync", "data-source": "replica" }, F("admin_last_sync", s.last_sync || T("admin_never"))));
        if (s.server_note) page.appendChild(el("p", { "class": "hint", id: "stats-source" }, F("admin_from_replica", s.server_note)));
      }
      if (!s.names_fresh) page.appendChild(el("p", { "class": "hint" }, T("admin_branches_from_cache")));
      var groups = [];
      s.columns.forEach(function (c, i) { (groups[c.group] = groups[c.group] || []).push(i); });
      function line(r, label, cls) {
        return function (idx) {
          return el("tr", { "data-branch": r.branch, "class": cls || "" },
            [el("th", null, label)].concat(idx.map(function (i) { return el("td", { "class": "num", "data-key": s.columns[i].key }, r.cells[i]); })));
        };
      }
      groups.forEach(function (idx, g) {
        if (!idx) return;
        var tb = el("tbody");
        s.rows.forEach(function (r) { tb.appendChild(line(r, r.name ? r.name + "（" + r.branch + "）" : r.branch)(idx)); });
        s.subtotals.forEach(function (r) { tb.appendChild(line(r, F("admin_subtotal", r.name || r.branch), "subtotal")(idx)); });
        tb.appendChild(line(s.total, T("admin_total"), "total")(idx));
        page.appendChild(el("table", { "class": "stats", id: "stats-" + g },
          el("thead", null, el("tr", null, [el("th", null, T("admin_branch"))].concat(idx.map(function (i) { return el("th", null, s.columns[i].label); })))), tb));
      });
      page.setAttribute("data-loaded", "1");
    }).catch(l.failed(page));
  };

  /* ------------------------------------------------------------ 全委报表 */

  X.routes.committee = function (year) {
    var l = L(), el = l.el, m = l.main();
    var page = el("div", { id: "committee" });
    m.appendChild(page);
    var y = year || String(new Date().getFullYear());
    page.appendChild(el("h2", null, T(isGeneral() ? "admin_nav_general_report" : "admin_nav_committee") + " " + y));
    page.appendChild(el("p", { "class": "hint" }, T(isGeneral() ? "admin_general_report_help" : "admin_report_help")));
    page.appendChild(yearBar("committee-year", y, function (v) { location.hash = "#/committee/" + v; }));
    var q = "/api/admin/report?year=" + encodeURIComponent(y);
    page.appendChild(el("div", { "class": "toolbar" },
      el("a", { "class": "button", id: "report-open", href: q + "&view=1", target: "_blank", rel: "noopener" }, T("admin_report_open")), " ",
      el("a", { "class": "button", id: "report-download", href: q, download: "" }, T("admin_report_download"))));
    page.setAttribute("data-loaded", "1");
  };
})();
