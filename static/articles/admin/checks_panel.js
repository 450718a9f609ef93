// The content checks panel on the article change form (articles/admin/checks.py): as the editor
// types, the unsaved form is POSTed to the panel's endpoint (nothing is saved) and the panel's body
// is replaced by the server's rendering. A finding's link moves the focus to the box it names.
(function () {
  "use strict";

  function focusBox(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var box = document.getElementById(link.getAttribute("href").slice(1));
    if (!box) return;
    event.preventDefault();
    // a collapsed part of the form (a <details>, a collapsed fieldset) opens to show it
    var closed = box.closest("details:not([open])");
    if (closed) closed.open = true;
    var fieldset = box.closest("fieldset.collapsed");
    if (fieldset) fieldset.classList.remove("collapsed");
    box.scrollIntoView({ block: "center" });
    box.focus({ preventScroll: true });
  }

  function start() {
    var panel = document.getElementById("checks-panel");
    if (!panel) return;
    panel.addEventListener("click", focusBox);
    var form = document.getElementById("article_form");
    var url = panel.dataset.url;
    if (!form || !url) return;
    var body = panel.querySelector(".checks-panel-body");
    var status = panel.querySelector(".checks-panel-status");
    var announce = panel.querySelector(".checks-panel-announce");
    var summaryText = function () {
      var summary = body.querySelector(".checks-summary");
      return summary ? summary.textContent.trim() : "";
    };
    var said = summaryText();
    var timer = null, asked = 0;

    function refresh() {
      clearTimeout(timer);
      var mine = ++asked;
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (answer) {
          if (mine !== asked) return;
          // the checks the editor opened or closed stay so (a blocking one opens when it starts blocking)
          var folded = {};
          body.querySelectorAll("[data-check] > details").forEach(function (details) {
            folded[details.parentNode.getAttribute("data-check")] = details.open;
          });
          body.innerHTML = answer.html;  // rendered and escaped by the server's template
          body.querySelectorAll("[data-check] > details").forEach(function (details) {
            var id = details.parentNode.getAttribute("data-check");
            if (id in folded && !details.parentNode.classList.contains("check-block")) details.open = folded[id];
          });
          status.textContent = "";
          var now = summaryText();
          if (announce && now !== said) announce.textContent = "Content checks: " + now;  // only when it changes
          said = now;
        })
        .catch(function () {
          if (mine !== asked) return;
          status.textContent = "Could not run the checks just now; they run again when you type, and on submission.";
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 800);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
