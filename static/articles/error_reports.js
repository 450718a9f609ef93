// "Report a problem with this claim" (articles/error_reports.py). Without JavaScript each claim's
// link opens the report form on its own page. With it, the link becomes a disclosure button that
// opens the same form inline under the claim (the form page's form, fetched once per claim, so
// there is one form markup): focus moves into the form; Escape or Cancel closes it and returns
// focus to the button. The form posts as on its page (refusals are shown there, with the reason).
(function () {
  "use strict";

  function suffixIds(root, key) {
    root.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-" + key; });
    root.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor + "-" + key; });
    root.querySelectorAll("[aria-describedby]").forEach(function (el) {
      el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").split(" ").map(function (id) { return id + "-" + key; }).join(" "));
    });
  }

  function enhance(link) {
    var key = link.getAttribute("data-claim");
    var url = link.getAttribute("href");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "claim-report claim-report-toggle";
    button.innerHTML = link.innerHTML;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "claim-report-" + key);
    var panel = document.createElement("div");
    panel.className = "claim-report-panel";
    panel.id = "claim-report-" + key;
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", "Report a problem with this claim");
    panel.hidden = true;
    link.parentNode.replaceChild(button, link);
    button.parentNode.appendChild(panel);
    var loaded = false;

    function close(returnFocus) {
      button.setAttribute("aria-expanded", "false");
      panel.hidden = true;
      if (returnFocus) button.focus();
    }

    function show() {
      button.setAttribute("aria-expanded", "true");
      panel.hidden = false;
      var field = panel.querySelector("textarea");
      if (field) field.focus();
    }

    function load() {
      panel.textContent = "Loading the form…";
      return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var form = page.querySelector("form.error-report-form");
          if (!form) throw new Error("no form");
          form.setAttribute("action", url);
          var actions = form.querySelector(".error-report-actions");
          var cancel = document.createElement("button");
          cancel.type = "button";
          cancel.className = "button button--secondary claim-report-cancel";
          cancel.textContent = "Cancel";
          cancel.addEventListener("click", function () { close(true); });
          actions.appendChild(document.createTextNode(" "));
          actions.appendChild(cancel);
          panel.textContent = "";
          panel.appendChild(document.importNode(form, true));
          suffixIds(panel, key);
          loaded = true;
        });
    }

    button.addEventListener("click", function () {
      if (button.getAttribute("aria-expanded") === "true") { close(false); return; }
      if (loaded) { show(); return; }
      button.setAttribute("aria-expanded", "true");
      panel.hidden = false;
      load().then(show, function () {
        // this claim can no longer be reported inline (updated, withdrawn, offline): the page says why
        window.location.href = url;
      });
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(true); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch || !window.DOMParser) return;
    document.querySelectorAll("a.claim-report[data-claim]").forEach(enhance);
  });
})();
