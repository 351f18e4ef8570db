/* dues.js: the hearth web app's 党费 month page: the month's 未缴 records
 * for every active member in one step (POST /api/dues/month, the engine of
 * `hearth dues month`), the members missing data with links to their
 * pages, and the month's records with 标记已缴 (POST /api/dues/paid).
 * Built with app.js's helpers; text only through textContent, words from
 * /api/text. */
"use strict";

(function () {
  var X = window.hearthPages = window.hearthPages || { routes: {}, nav: [], onRecord: [] };
  function L() { return X.lib; }
  function T(key) { return L().S.text[key] || key; }
  function fill(s, args) { return s.replace(/%(\d)/g, function (_, n) { return String(args[n - 1]); }); }

  /* A branch's page: its replica holds the branch the month is for. */
  X.nav.push({ href: "#/dues", key: "nav_dues_month", roles: ["branch"] });

  function thisMonth() {
    var d = new Date();
    return d.getFullYear() + "-" + (d.getMonth() < 9 ? "0" : "") + (d.getMonth() + 1);
  }

  X.routes.dues = function (month) {
    var l = L(), el = l.el, m = l.main();
    var page = el("div", { id: "dues-page" });
    m.appendChild(page);
    page.appendChild(el("h2", null, T("dues_title")));
    page.appendChild(el("p", { "class": "hint" }, T("dues_help")));
    /* A text box, not <input type=month>: Firefox has no month picker,
     * and YYYY-MM typed is the same in every browser. */
    var input = el("input", { type: "text", id: "dues-month", inputmode: "numeric", placeholder: "2026-09",
      maxlength: "7", value: month || thisMonth() });
    var err = el("span", { "class": "field-error", id: "err-month", role: "alert" });
    var run = el("button", { type: "button", id: "dues-run" }, T("dues_run"));
    var show = el("button", { type: "button", id: "dues-show" }, T("dues_show"));
    var result = el("div", { id: "dues-result" });
    var list = el("div", { id: "dues-list" });
    page.appendChild(el("div", { "class": "import-form" },
      el("div", { "class": "row" }, el("label", { "for": "dues-month" }, T("dues_month")), input, err),
      el("div", { "class": "toolbar" }, run, " ", show)));
    page.appendChild(result);
    page.appendChild(list);
    var runs = 0, loads = 0;

    function loadList() {
      var mo = input.value.trim();
      l.api("/api/dues/month?month=" + encodeURIComponent(mo)).then(function (j) {
        l.clear(list);
        list.appendChild(el("h3", null, T("dues_records") + "（" + j.month + "）"));
        if (!j.records.length) {
          list.appendChild(el("p", { id: "dues-records-none" }, T("dues_records_none")));
        } else {
          var tb = el("tbody");
          j.records.forEach(function (r) {
            var cell = el("td");
            if (r.status !== 3) {
              var b = el("button", { type: "button", "class": "mark-paid" }, T("dues_mark_paid"));
              b.addEventListener("click", function () {
                b.disabled = true;
                l.post("/api/dues/paid", { id: r.id }).then(function () { loadList(); })
                  .catch(function (e) { b.disabled = false; cell.appendChild(l.banner((e && e.error) || String(e))); });
              });
              cell.appendChild(b);
            }
            tb.appendChild(el("tr", { "data-id": r.id, "data-status": String(r.status) },
              el("td", null, l.link("#/record/" + r.member_id, r.member)),
              el("td", { "class": "num" }, r.due + " 元"), el("td", { "class": "num" }, r.paid + " 元"),
              el("td", { "class": "status" }, l.link("#/record/" + r.id, r.status_label)), cell));
          });
          list.appendChild(el("table", { id: "dues-records" },
            el("thead", null, el("tr", null, el("th", null, T("dues_member")), el("th", null, T("dues_due")),
              el("th", null, T("dues_paid")), el("th", null, T("dues_status")), el("th"))), tb));
        }
        list.setAttribute("data-loaded", String(++loads));
      }, function (e) {
        l.clear(list);
        if (e && e.field === "month") err.textContent = e.error;
        else list.appendChild(l.banner((e && e.error) || String(e)));
        list.setAttribute("data-loaded", String(++loads));
      });
    }

    function doRun() {
      err.textContent = "";
      l.clear(result);
      run.disabled = true;
      l.post("/api/dues/month", { month: input.value.trim() }).then(function (j) {
        result.appendChild(el("p", { "class": "ok", id: "dues-summary" },
          fill(T("dues_created"), [j.created, j.month, j.had, j.active])));
        result.appendChild(el("h3", null, T("dues_needs")));
        if (!j.needs.length) {
          result.appendChild(el("p", { id: "dues-needs-none" }, T("dues_needs_none")));
        } else {
          var tb = el("tbody");
          j.needs.forEach(function (n) {
            tb.appendChild(el("tr", { "data-member": n.id, "data-missing": n.missing },
              el("td", null, l.link("#/record/" + n.id, n.name)), el("td", null, n.text),
              el("td", null, l.link("#/edit/" + n.id, T("dues_fix"), "button fix"))));
          });
          result.appendChild(el("table", { id: "dues-needs" }, tb));
        }
        loadList();
      }, function (e) {
        if (e && e.field === "month") err.textContent = e.error;
        else result.appendChild(l.banner((e && e.error) || String(e)));
      }).then(function () { run.disabled = false; result.setAttribute("data-runs", String(++runs)); });
    }

    run.addEventListener("click", doRun);
    show.addEventListener("click", function () { err.textContent = ""; loadList(); });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") doRun(); });
    loadList();
  };
})();
