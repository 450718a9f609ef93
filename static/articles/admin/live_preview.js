// The change form's live preview: beside the form (shown or hidden), the unsaved form rendered by
// the answer page's renderer for the chosen audience, refreshed 600 ms after the editor stops
// typing. The server saves nothing. The page goes into a sandboxed frame (srcdoc, no scripts), so
// the answer page's styles stay inside it and the admin's CSP still applies.
(function () {
  "use strict";

  function start() {
    var panel = document.getElementById("live-preview");
    var form = document.getElementById("article_form");
    if (!panel || !form || !panel.dataset.url) return;
    var url = panel.dataset.url;
    var wrapper = panel.closest(".article-editing");
    var toggle = panel.querySelector(".live-preview-toggle");
    var body = panel.querySelector(".live-preview-body");
    var audience = panel.querySelector("#live-preview-audience");
    var status = panel.querySelector(".live-preview-status");
    var unknown = panel.querySelector(".live-preview-unknown");
    var frame = panel.querySelector(".live-preview-frame");
    var shown = false, timer = null, asked = 0;
    panel.hidden = false;

    function show(on) {
      shown = on;
      toggle.setAttribute("aria-expanded", on ? "true" : "false");
      toggle.textContent = on ? "Hide preview" : "Show preview";
      body.hidden = !on;
      if (wrapper) wrapper.classList.toggle("is-previewing", on);
      try { window.sessionStorage.setItem("oracle-live-preview", on ? "1" : "0"); } catch (e) { /* private mode */ }
      if (on) refresh();
    }

    function refresh() {
      clearTimeout(timer);
      var data = new FormData(form);
      data.set("preview_audience", audience.value);
      var mine = ++asked;
      status.textContent = "Updating…";
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (answer) {
          if (mine !== asked) return;
          var y = 0;
          try { y = frame.contentWindow ? frame.contentWindow.scrollY : 0; } catch (e) { y = 0; }
          frame.onload = function () {
            try { frame.contentWindow.scrollTo(0, y); } catch (e) { /* nothing to keep */ }
          };
          frame.srcdoc = answer.html;
          if (answer.unknown.length) {
            unknown.textContent = "Unknown reference key" + (answer.unknown.length > 1 ? "s" : "") + ": " +
              answer.unknown.join(", ") + " — shown as ?key; it cannot be submitted until each names a reference.";
            unknown.hidden = false;
          } else {
            unknown.hidden = true;
            unknown.textContent = "";
          }
          status.textContent = "Up to date · not saved";
        })
        .catch(function () {
          if (mine !== asked) return;
          status.textContent = "Could not update the preview; your text is still in the form, unsaved.";
        });
    }

    function later() {
      if (!shown) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 600);
    }

    toggle.addEventListener("click", function () { show(!shown); });
    audience.addEventListener("change", refresh);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    var remembered = null;
    try { remembered = window.sessionStorage.getItem("oracle-live-preview"); } catch (e) { remembered = null; }
    if (remembered === "1") show(true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
