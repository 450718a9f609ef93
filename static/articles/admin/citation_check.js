// Live citation check on the article change form: as the editor types, list every [@key] in the
// summary and the claims that names no reference, and (when the site requires it) every claim that
// cites nothing. The server still validates on save and on submission.
(function () {
  "use strict";
  var MARKER = /\[\s*@[A-Za-z0-9][A-Za-z0-9_-]*(?:\s*[;,]\s*@[A-Za-z0-9][A-Za-z0-9_-]*)*\s*\]/g;
  var KEY = /@([A-Za-z0-9][A-Za-z0-9_-]*)/g;

  function keysIn(text) {
    var keys = [];
    (text.match(MARKER) || []).forEach(function (marker) {
      var m;
      KEY.lastIndex = 0;
      while ((m = KEY.exec(marker)) !== null) keys.push(m[1]);
    });
    return keys;
  }

  function places(form) {
    var result = [];
    var summary = form.querySelector("textarea[name=summary]");
    if (summary) result.push({ where: "Summary answer", text: summary.value });
    [["summary_patient", "patients and caregivers"], ["summary_professional", "healthcare professionals"], ["summary_student", "students"]].forEach(function (pair) {
      var area = form.querySelector("textarea[name=" + pair[0] + "]");
      if (area && area.value.trim()) result.push({ where: "Summary answer for " + pair[1], text: area.value });
    });
    var sectionNumber = 0;
    form.querySelectorAll("textarea[name$='-text'][name*='-claims-']").forEach(function (area) {
      if (area.name.indexOf("__prefix__") !== -1) return;
      var row = area.closest(".djn-inline-form, tr, .inline-related");
      if (row && row.querySelector("input[name$='-DELETE']:checked")) return;
      var match = area.name.match(/^sections-(\d+)-claims-(\d+)-text$/);
      if (!match) return;
      var heading = form.querySelector("input[name='sections-" + match[1] + "-heading']");
      // numbered where the claim is shown (its box's name follows a move: form_layout.js), else by its row
      var shown = (area.getAttribute("aria-label") || "").match(/^Section (\d+), claim (\d+)/);
      var section = shown ? shown[1] : Number(match[1]) + 1;
      var claim = shown ? shown[2] : Number(match[2]) + 1;
      result.push({
        where: "Section " + section + " “" + (heading ? heading.value : "") + "”, claim " + claim,
        text: area.value,
        claim: true
      });
    });
    return result;
  }

  function render(target, problems) {
    target.textContent = "";
    if (!problems.length) {
      var ok = document.createElement("span");
      ok.className = "citations-ok";
      ok.textContent = "✓ Every claim cites a source that exists.";
      target.appendChild(ok);
      return;
    }
    var list = document.createElement("ul");
    list.className = "citation-problems";
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var where = document.createElement("strong");
      where.textContent = p.where;
      item.appendChild(where);
      item.appendChild(document.createTextNode(p.key ? ": unknown reference key “" + p.key + "”" : ": cites no source"));
      list.appendChild(item);
    });
    target.appendChild(list);
  }

  function start() {
    var form = document.getElementById("article_form");
    var target = document.querySelector(".field-citation_problems .readonly");
    var config = document.getElementById("citation-check-config");
    if (!form || !target || !config || !config.dataset.url) return;
    var url = config.dataset.url;
    var requireCited = config.dataset.requireCited === "1";
    var timer = null;
    var serverList = target.innerHTML;

    function check() {
      var found = places(form);
      var wanted = {};
      found.forEach(function (p) { keysIn(p.text).forEach(function (k) { wanted[k] = true; }); });
      var keys = Object.keys(wanted);
      var query = keys.map(function (k) { return "key=" + encodeURIComponent(k); }).join("&");
      fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (data) {
          var unknown = {};
          data.unknown.forEach(function (k) { unknown[k] = true; });
          var problems = [];
          found.forEach(function (p) {
            var seen = {};
            if (requireCited && p.claim && p.text.trim() && !keysIn(p.text).length) problems.push({ where: p.where });
            keysIn(p.text).forEach(function (k) {
              if (unknown[k] && !seen[k]) { seen[k] = true; problems.push({ where: p.where, key: k }); }
            });
          });
          render(target, problems);
        })
        .catch(function () { target.innerHTML = serverList; });
    }

    form.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA" && !/heading$/.test(event.target.name || "")) return;
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
