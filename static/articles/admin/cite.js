// Cite by searching, on the article change form: a "Cite" button beside every text that can cite
// (the summary, its audience versions, each claim — rows added later too), and typing "[@" in one,
// open a search over the bibliography (a combobox: arrows choose, Enter inserts, Escape closes and
// returns to the text). The marker [@key] goes where the cursor was. "New reference…" adds one to
// the bibliography in a dialog and cites it. Results are written with textContent only.
(function () {
  "use strict";
  var CITABLE = /^(?:summary|summary_patient|summary_professional|summary_student|sections-\d+-claims-\d+-text)$/;
  var searchUrl, newUrl;
  var popup, input, list, status, newButton;
  var area = null; // the textarea being cited in
  var at = null; // {start, end}: what the marker replaces in it
  var results = [];
  var active = -1;
  var timer = null;
  var asked = 0;
  var dialog, dialogForm, inserting = false;

  function citable(el) {
    return el && el.tagName === "TEXTAREA" && CITABLE.test(el.name || "");
  }

  function nameOf(textarea) {
    var label = textarea.getAttribute("aria-label");
    if (label) return label;
    var tag = textarea.id && document.querySelector("label[for='" + textarea.id + "']");
    return tag ? tag.textContent.replace(/:\s*$/, "").trim() : "this text";
  }

  function enhance(textarea) {
    if (!citable(textarea) || textarea.dataset.citeReady) return;
    textarea.dataset.citeReady = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button cite-button";
    button.textContent = "Cite";
    button.setAttribute("aria-label", "Cite a source in " + nameOf(textarea));
    button.addEventListener("click", function () { open(textarea, null); });
    // a text never visited has no cursor of its own: the marker then goes at its end
    textarea.addEventListener("focus", function () { textarea.dataset.citeVisited = "1"; });
    textarea.insertAdjacentElement("afterend", button);
  }

  function scan(root) {
    if (root.querySelectorAll) root.querySelectorAll("textarea").forEach(enhance);
    if (root.tagName === "TEXTAREA") enhance(root);
  }

  function build() {
    popup = document.createElement("div");
    popup.className = "cite-popup";
    popup.id = "cite-popup";
    popup.hidden = true;
    var label = document.createElement("label");
    label.htmlFor = "cite-search";
    label.textContent = "Search references by key, title, author, DOI, PMID or year";
    input = document.createElement("input");
    input.type = "text";
    input.id = "cite-search";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.maxLength = 200;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "cite-results");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-describedby", "cite-hint");
    list = document.createElement("ul");
    list.id = "cite-results";
    list.className = "cite-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "References");
    status = document.createElement("p");
    status.className = "cite-status";
    status.setAttribute("role", "status");
    var hint = document.createElement("p");
    hint.id = "cite-hint";
    hint.className = "cite-hint";
    hint.textContent = "Up and down arrows choose, Enter inserts the marker, Escape goes back to the text.";
    var actions = document.createElement("div");
    actions.className = "cite-actions";
    if (newUrl && dialog) {
      newButton = document.createElement("button");
      newButton.type = "button";
      newButton.className = "button cite-new";
      newButton.textContent = "New reference…";
      newButton.addEventListener("click", openDialog);
      actions.appendChild(newButton);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button cite-close";
    close.textContent = "Close";
    close.addEventListener("click", function () { shut(true); });
    actions.appendChild(close);
    [label, input, hint, list, status, actions].forEach(function (el) { popup.appendChild(el); });
    document.body.appendChild(popup);

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", keys);
    popup.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); shut(true); }
    });
    popup.addEventListener("focusout", function (event) {
      var to = event.relatedTarget;
      if (dialog && dialog.open) return;
      if (to && (popup.contains(to) || to === area)) return;
      if (to) shut(false);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) choose(Number(option.dataset.index));
    });
    window.addEventListener("resize", function () { if (!popup.hidden) place(); });
    // a click anywhere else closes the search (the text keeps what it had)
    document.addEventListener("mousedown", function (event) {
      if (popup.hidden || popup.contains(event.target) || (dialog && dialog.open)) return;
      if (event.target.closest && event.target.closest(".cite-button")) return;
      shut(false);
    });
  }

  function place() {
    var rect = area.getBoundingClientRect();
    var width = Math.min(480, document.documentElement.clientWidth - 16);
    var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    popup.style.width = width + "px";
    popup.style.left = left + window.scrollX + "px";
    popup.style.top = rect.bottom + window.scrollY + 4 + "px";
  }

  function open(textarea, typedAt) {
    area = textarea;
    var visited = textarea.dataset.citeVisited === "1";
    var start = visited ? textarea.selectionStart : textarea.value.length;
    var end = visited ? textarea.selectionEnd : textarea.value.length;
    at = typedAt === null ? { start: start, end: end } : { start: typedAt, end: end };
    popup.hidden = false;
    place();
    input.value = "";
    results = [];
    render();
    input.setAttribute("aria-expanded", "true");
    input.focus();
    search();
  }

  function shut(back) {
    if (popup.hidden) return;
    clearTimeout(timer);
    asked++;
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    if (back && area) {
      area.focus();
      area.setSelectionRange(at.end, at.end);
    }
  }

  function search() {
    var mine = ++asked;
    var q = input.value.trim();
    fetch(searchUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (answer) {
        if (mine !== asked) return;
        if (!answer.ok) { results = []; render(answer.data.error || "The search failed."); return; }
        results = answer.data.results;
        render(results.length ? "" : q ? "No reference matches “" + q + "”." : "The bibliography is empty.");
      })
      .catch(function () { if (mine === asked) { results = []; render("The search failed: try again."); } });
  }

  function render(message) {
    list.textContent = "";
    active = results.length ? 0 : -1;
    results.forEach(function (ref, i) {
      var option = document.createElement("li");
      option.id = "cite-option-" + i;
      option.className = "cite-option";
      option.dataset.index = String(i);
      option.setAttribute("role", "option");
      var key = document.createElement("span");
      key.className = "cite-key";
      key.textContent = "[@" + ref.key + "]";
      var title = document.createElement("span");
      title.className = "cite-title";
      title.textContent = ref.title;
      var meta = document.createElement("span");
      meta.className = "cite-meta";
      meta.textContent = [ref.kind_label, ref.year, ref.authors].filter(Boolean).join(" · ");
      [key, title, meta].forEach(function (el) { option.appendChild(el); });
      if (ref.retracted) option.appendChild(flag("Retracted" + (ref.retracted_on ? " " + ref.retracted_on : "")));
      if (ref.superseded) option.appendChild(flag("Superseded by " + ref.superseded_by));
      list.appendChild(option);
    });
    status.textContent = message || (results.length === 1 ? "1 reference" : results.length + " references");
    highlight();
  }

  function flag(text) {
    var el = document.createElement("span");
    el.className = "cite-flag";
    el.textContent = text;
    return el;
  }

  function highlight() {
    list.querySelectorAll("[role=option]").forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", "cite-option-" + active);
      var chosen = document.getElementById("cite-option-" + active);
      if (chosen && chosen.scrollIntoView) chosen.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function keys(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!results.length) return;
      var step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + results.length) % results.length;
      highlight();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0) choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      shut(true);
    }
  }

  function choose(index) {
    var ref = results[index];
    if (ref) cite(ref.key);
  }

  function cite(key) {
    var textarea = area, value = textarea.value, marker = "[@" + key + "]";
    textarea.value = value.slice(0, at.start) + marker + value.slice(at.end);
    var cursor = at.start + marker.length;
    at = { start: cursor, end: cursor };
    shut(true);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- "New reference…" -----------------------------------------------------------------------

  function openDialog() {
    clearErrors();
    dialogForm.reset();
    var q = input.value.trim();
    var field = /^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)?10\.\d{4,9}\//i.test(q) ? "doi" : /^(?:pmid:?\s*)?\d{1,9}$/i.test(q) ? "pmid" : "title";
    var target = dialogForm.elements["newref-" + field];
    if (target && q) target.value = q;
    inserting = false;
    dialog.showModal();
    var first = dialogForm.elements["newref-kind"];
    if (first) first.focus();
  }

  function clearErrors() {
    var note = dialogForm.querySelector(".new-reference-errors");
    note.hidden = true;
    note.textContent = "";
    dialogForm.querySelectorAll("ul.errorlist").forEach(function (ul) { ul.textContent = ""; ul.hidden = true; });
    dialogForm.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/_errors$/.test(id); });
      if (described.length) el.setAttribute("aria-describedby", described.join(" "));
      else el.removeAttribute("aria-describedby");
    });
  }

  function showErrors(errors) {
    clearErrors();
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var control = dialogForm.elements["newref-" + name];
      var ul = control && document.getElementById(control.id + "_errors");
      if (!ul) {
        var note = dialogForm.querySelector(".new-reference-errors");
        note.textContent = errors[name].join(" ");
        note.hidden = false;
        first = first || note;
        return;
      }
      errors[name].forEach(function (message) {
        var li = document.createElement("li");
        li.textContent = message;
        ul.appendChild(li);
      });
      ul.hidden = false;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", ((control.getAttribute("aria-describedby") || "") + " " + ul.id).trim());
      first = first || control;
    });
    if (first) {
      if (first.tagName === "P") first.setAttribute("tabindex", "-1");
      first.focus();
    }
  }

  function submitDialog(event) {
    event.preventDefault();
    var button = dialogForm.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(newUrl, { method: "POST", body: new FormData(dialogForm), credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; }, function () { return { status: response.status, data: {} }; });
      })
      .then(function (answer) {
        button.disabled = false;
        if (answer.status === 201) {
          inserting = true;
          dialog.close();
          cite(answer.data.reference.key);
        } else if (answer.data.errors) {
          showErrors(answer.data.errors);
        } else {
          showErrors({ __all__: [answer.status === 403 ? "You may not add references." : "The reference could not be added: try again."] });
        }
      })
      .catch(function () {
        button.disabled = false;
        showErrors({ __all__: ["The reference could not be added (no answer from the server): try again."] });
      });
  }

  function start() {
    var form = document.getElementById("article_form");
    var config = document.getElementById("cite-config");
    if (!form || !config) return;
    searchUrl = config.dataset.searchUrl;
    newUrl = config.dataset.newUrl || "";
    dialog = document.getElementById("new-reference-dialog");
    dialogForm = dialog && dialog.querySelector("form");
    if (dialogForm) {
      dialogForm.addEventListener("submit", submitDialog);
      dialog.querySelector(".new-reference-cancel").addEventListener("click", function () { dialog.close(); });
      dialog.addEventListener("close", function () {
        if (!inserting && !popup.hidden) input.focus();
      });
    }
    build();
    scan(form);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "attributes") enhance(change.target);
        else change.addedNodes.forEach(function (node) { if (node.nodeType === 1) scan(node); });
      });
    }).observe(form, { childList: true, subtree: true, attributes: true, attributeFilter: ["name"] });
    form.addEventListener("input", function (event) {
      var textarea = event.target;
      if (!citable(textarea) || event.inputType !== "insertText" || event.data !== "@") return;
      var cursor = textarea.selectionStart;
      if (cursor >= 2 && textarea.value.slice(cursor - 2, cursor) === "[@") open(textarea, cursor - 2);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
