/* audit.js: the auditor's screens of the hearth web app: 审计日志 (the log
 * newest first, with its filters and paging), 校验 (the witness and the
 * chain verification) and 导出 (the log as CSV or xlsx), built with app.js's
 * helpers from /api/audit/…; text only through textContent, words from
 * /api/text (the gettext catalog). Shown to auditor and admin
 * certificates only; the API refuses the others. No inline script. */
"use strict";

(function () {
  var X = window.hearthPages = window.hearthPages || { routes: {}, nav: [], onRecord: [] };
  var ROLES = ["auditor", "admin"];
  function L() { return X.lib; }
  function T(key) { return L().S.text[key] || key; }

  X.nav.push({ href: "#/audit", key: "nav_audit_log", roles: ROLES });
  X.nav.push({ href: "#/audit-verify", key: "nav_audit_verify", roles: ROLES });
  X.nav.push({ href: "#/audit-export", key: "nav_audit_export", roles: ROLES });

  /* The actions a person filters by; "record." is a prefix (every change
   * of a record), the rest exact. */
  var ACTIONS = ["record.", "record.create", "record.update", "record.delete", "record.restore",
    "record.merge", "conflict.open", "conflict.resolve", "push.rejected", "denied", "reveal",
    "export", "login", "revoke"];

  /* The filters, kept while the person moves between the screens. */
  var F = { since: "", until: "", actor: "", action: "", record: "", logins: false };

  function query(extra) {
    var q = [];
    ["since", "until", "actor", "action", "record"].forEach(function (k) {
      if (F[k]) q.push(k + "=" + encodeURIComponent(F[k]));
    });
    if (F.logins) q.push("logins=1");
    Object.keys(extra || {}).forEach(function (k) { q.push(k + "=" + encodeURIComponent(extra[k])); });
    return q.length ? "?" + q.join("&") : "";
  }

  /* The filter form; onSearch runs with F updated. Each error the API
   * names (field) shows beside its input. */
  function filterForm(onSearch, withMore) {
    var el = L().el;
    var inputs = {}, errs = {};
    function row(name, input, label) {
      inputs[name] = input;
      errs[name] = el("span", { "class": "field-error", id: "err-audit-" + name, role: "alert" });
      return el("div", { "class": "row" }, el("label", { "for": "audit-" + name }, label), input, errs[name]);
    }
    var since = el("input", { type: "date", id: "audit-since", value: F.since });
    var until = el("input", { type: "date", id: "audit-until", value: F.until });
    var actor = el("input", { type: "text", id: "audit-actor", value: F.actor, placeholder: T("audit_actor_hint") });
    var action = el("select", { id: "audit-action" }, el("option", { value: "" }, T("audit_action_any")),
      ACTIONS.map(function (a) {
        return el("option", { value: a }, a === "record." ? T("audit_action_records") : T("action:" + a) + "（" + a + "）");
      }));
    action.value = F.action;
    var record = el("input", { type: "search", id: "audit-record", value: F.record, placeholder: T("audit_record_hint") });
    var logins = el("input", { type: "checkbox", id: "audit-logins" });
    logins.checked = F.logins;
    var form = el("form", { id: "audit-form", "class": "filters", novalidate: "novalidate" },
      row("since", since, T("audit_since")), row("until", until, T("audit_until")),
      row("actor", actor, T("audit_actor")), row("action", action, T("audit_action")),
      row("record", record, T("audit_record")),
      withMore ? el("div", { "class": "row" }, el("label", null, logins, " ", T("audit_logins"))) : null,
      el("div", { "class": "toolbar" }, el("button", { type: "submit", id: "audit-search" }, T("audit_search"))));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      F.since = since.value; F.until = until.value; F.actor = actor.value.trim();
      F.action = action.value; F.record = record.value.trim(); F.logins = logins.checked;
      onSearch();
    });
    return {
      node: form,
      showError: function (e) {
        Object.keys(errs).forEach(function (n) { errs[n].textContent = ""; });
        if (e && e.field && errs[e.field]) { errs[e.field].textContent = e.error; return true; }
        return false;
      }
    };
  }

  /* ------------------------------------------------------------ 审计日志 */

  X.routes.audit = function () {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("nav_audit_log")));
    m.appendChild(el("p", { "class": "hint" }, T("audit_log_help")));
    var msg = el("div", { id: "audit-msg" });
    var body = el("div", { id: "audit-body" });
    var form = filterForm(load, true);
    m.appendChild(form.node);
    m.appendChild(msg);
    m.appendChild(body);
    var loads = 0;

    function table() {
      var tb = el("tbody");
      body.appendChild(el("table", { id: "audit-table" },
        el("thead", null, el("tr", null, el("th", null, T("audit_seq")), el("th", null, T("audit_when")),
          el("th", null, T("audit_actor")), el("th", null, T("audit_where")), el("th", null, T("audit_action")),
          el("th", null, T("audit_kind")), el("th", null, T("audit_text")))), tb));
      return tb;
    }
    function rows(tb, list) {
      list.forEach(function (e) {
        tb.appendChild(el("tr", { "data-seq": String(e.seq), "data-action": e.action, "data-record": e.record },
          el("td", { "class": "num" }, String(e.seq)), el("td", null, e.when), el("td", null, e.who),
          el("td", null, e.where), el("td", { title: e.action }, e.action_label),
          el("td", null, e.kind_label + (e.record_name ? " " + e.record_name : "")),
          el("td", { "class": "audit-text" }, e.text)));
      });
    }
    /* One page; "older" asks for the next below the last row shown. */
    function page(tb, before, done) {
      var mine = loads;
      l.api("/api/audit/log" + query(before ? { before: before } : null)).then(function (r) {
        if (mine !== loads) return;
        done(r);
      }).catch(function (e) {
        if (mine !== loads) return;
        if (!form.showError(e)) msg.appendChild(l.banner((e && e.error) || String(e)));
        body.setAttribute("data-loaded", "error");
      });
    }
    function load() {
      loads++;
      l.clear(msg);
      l.clear(body).removeAttribute("data-loaded");
      form.showError(null);
      body.appendChild(el("p", { "class": "hint", id: "audit-loading" }, T("audit_loading")));
      page(null, 0, function (r) {
        l.clear(body);
        if (!r.entries.length) {
          body.appendChild(el("p", { id: "audit-none" }, T("audit_none")));
          body.setAttribute("data-loaded", String(loads));
          return;
        }
        var tb = table();
        rows(tb, r.entries);
        more(tb, r);
        body.setAttribute("data-loaded", String(loads));
      });
    }
    function more(tb, r) {
      if (!r.more) return;
      var btn = el("button", { type: "button", id: "audit-more" }, T("audit_older"));
      btn.addEventListener("click", function () {
        btn.disabled = true;
        page(tb, r.next_before, function (r2) {
          btn.parentNode.removeChild(btn);
          rows(tb, r2.entries);
          more(tb, r2);
          body.setAttribute("data-pages", String(Number(body.getAttribute("data-pages") || "1") + 1));
        });
      });
      body.appendChild(btn);
    }
    load();
  };

  /* --------------------------------------------------------------- 校验 */

  X.routes["audit-verify"] = function () {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("nav_audit_verify")));
    m.appendChild(el("p", { "class": "hint" }, T("audit_verify_help")));
    var out = el("div", { id: "verify" });
    var btn = el("button", { type: "button", id: "verify-run" }, T("audit_verify_run"));
    m.appendChild(el("div", { "class": "toolbar" }, btn));
    m.appendChild(out);
    function result(id, title, ok, text, extra) {
      return el("section", { id: id, "class": "verify-result " + (ok ? "ok" : "error"), "data-ok": ok ? "1" : "0" },
        el("h3", null, title + "：" + (ok ? "✓" : "✗")), el("p", { "class": "verify-text" }, text), extra || null);
    }
    function run() {
      btn.disabled = true;
      l.clear(out).removeAttribute("data-loaded");
      out.appendChild(el("p", { "class": "hint" }, T("audit_verify_running")));
      l.api("/api/audit/verify").then(function (v) {
        l.clear(out);
        var acc = v.witness.accepted;
        out.appendChild(result("verify-witness", T("audit_witness"), v.witness.ok, v.witness.text,
          acc ? el("p", { "class": "meta" }, T("audit_accepted").replace("%1", String(acc.size)).replace("%2", acc.when),
            el("br"), el("code", null, acc.head)) : null));
        out.appendChild(result("verify-chain", T("audit_chain"), v.verify.ok, v.verify.text,
          v.verify.bad_seq ? el("p", null, l.link("#/audit", T("nav_audit_log"))) : null));
        out.setAttribute("data-loaded", "1");
      }).catch(function (e) {
        l.clear(out).appendChild(l.banner((e && e.error) || String(e)));
        out.setAttribute("data-loaded", "error");
      }).then(function () { btn.disabled = false; });
    }
    btn.addEventListener("click", run);
    run();
  };

  /* --------------------------------------------------------------- 导出 */

  X.routes["audit-export"] = function () {
    var l = L(), el = l.el, m = l.main();
    m.appendChild(el("h2", null, T("nav_audit_export")));
    m.appendChild(el("p", { "class": "hint" }, T("audit_export_help")));
    var link = el("a", { "class": "button", id: "audit-export-csv", download: "" }, T("audit_export_csv"));
    var xlsx = el("a", { "class": "button", id: "audit-export-xlsx", download: "" }, T("export_xlsx"));
    function update() {
      link.setAttribute("href", "/api/audit/export" + query());
      xlsx.setAttribute("href", "/api/audit/export" + query({ format: "xlsx" }));
    }
    var form = filterForm(update, false);
    m.appendChild(form.node);
    m.appendChild(el("div", { "class": "toolbar" }, link, " ", xlsx));
    update();
  };
})();
