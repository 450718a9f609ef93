// The article change form, made to fit on a screen: each section folds to its heading (its own
// button, and "Collapse all / Expand all"), the table of contents at the top jumps to a part of the
// form (opening a folded section, focus moved there) and follows the page (a heading typed, a section
// added or moved), and sections and claims move up and down with buttons (keyboard and mouse), the
// move announced to screen readers. Moving a row moves it in the page and renumbers the position
// fields in the order shown, so what is saved is what the editor saw (nested_admin numbers them the
// same way again on submit). Without JavaScript everything is shown and the contents are plain links.
// A section holding an error, an open comment or a problem (an element with data-form-problem) opens
// unfolded; which sections the editor folded is kept for this tab (sessionStorage), across a save or
// a refused save.
(function () {
  "use strict";
  var SECTION_ID = /^sections-(\d+)$/;
  var CLAIM_ID = /^sections-(\d+)-claims-(\d+)$/;
  var CLAIM_NAME = /^Section \d+, claim \d+/;
  var PROBLEM = ".errorlist li, .errornote, .claim-thread-note, [data-form-problem]";
  var form, group, status, storageKey;

  function sections() {
    if (!group) return [];
    var items = group.querySelector(".djn-items");
    return Array.prototype.filter.call(items ? items.children : [], function (el) {
      return SECTION_ID.test(el.id || "");
    });
  }

  function claimsOf(section) {
    var table = section.querySelector("#" + section.id + "-claims-group table.djn-items");
    return Array.prototype.filter.call(table ? table.children : [], function (el) {
      return el.tagName === "TBODY" && CLAIM_ID.test(el.id || "");
    });
  }

  function headingOf(section) {
    var input = section.querySelector("input[name='" + section.id + "-heading']");
    var text = input ? input.value : (section.dataset.heading || "");
    return text.trim() || "Untitled section";
  }

  function bodyOf(section) {
    return Array.prototype.filter.call(section.children, function (el) {
      return el.tagName !== "H3" && !(el.tagName === "INPUT" && el.type === "hidden");
    });
  }

  function isCollapsed(section) { return section.classList.contains("is-collapsed"); }

  // --- folding --------------------------------------------------------------------------------

  function setCollapsed(section, collapsed, quiet) {
    var toggle = section.querySelector(".section-toggle");
    if (!toggle) return;
    section.classList.toggle("is-collapsed", collapsed);
    toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    bodyOf(section).forEach(function (el) {
      if (collapsed) el.setAttribute("hidden", "until-found");
      else el.removeAttribute("hidden");
    });
    updateMeta(section);
    if (!quiet) remember();
  }

  function updateMeta(section) {
    var meta = section.querySelector(".section-meta");
    if (!meta) return;
    var claims = claimsOf(section).length;
    var problems = section.querySelectorAll(PROBLEM).length;
    var text = isCollapsed(section) ? claims + (claims === 1 ? " claim" : " claims") : "";
    if (isCollapsed(section) && problems) text += " · needs attention";
    meta.textContent = text;
  }

  function sectionKey(section) {
    var pk = section.querySelector("input[name='" + section.id + "-id']");
    return pk && pk.value ? "pk" + pk.value : section.id;
  }

  function remember() {
    var folded = sections().filter(isCollapsed).map(sectionKey);
    try { window.sessionStorage.setItem(storageKey, JSON.stringify(folded)); } catch (e) { /* private mode */ }
  }

  function remembered() {
    try { return JSON.parse(window.sessionStorage.getItem(storageKey) || "[]"); } catch (e) { return []; }
  }

  function openAround(target) {
    var section = target && target.closest ? target.closest(".djn-inline-form") : null;
    while (section && !SECTION_ID.test(section.id || "")) {
      section = section.parentElement ? section.parentElement.closest(".djn-inline-form") : null;
    }
    if (section && isCollapsed(section)) setCollapsed(section, false);
    return section;
  }

  // --- moving ---------------------------------------------------------------------------------

  function siblingsOf(row) {
    return CLAIM_ID.test(row.id) ? claimsOf(sectionOfClaim(row)) : sections();
  }

  function renumber(rows) {
    rows.forEach(function (row, index) {
      var position = row.querySelector("input[name='" + row.id + "-position']");
      if (position && String(position.value) !== String(index)) {
        position.value = index;
        position.dispatchEvent(new Event("change", { bubbles: true })); // the live preview follows
      }
    });
  }

  function sectionOfClaim(claim) {
    var section = claim.parentElement ? claim.parentElement.closest(".djn-inline-form") : null;
    while (section && !SECTION_ID.test(section.id || "")) {
      section = section.parentElement ? section.parentElement.closest(".djn-inline-form") : null;
    }
    return section;
  }

  // Each claim's boxes are named by where they are shown ("Section 2, claim 3 text"); after a move
  // the names follow the new places (a claim added in the page keeps "New claim").
  function renameClaims() {
    sections().forEach(function (section, s) {
      claimsOf(section).forEach(function (claim, c) {
        var name = "Section " + (s + 1) + ", claim " + (c + 1);
        claim.querySelectorAll("[aria-label]").forEach(function (el) {
          var label = el.getAttribute("aria-label");
          if (CLAIM_NAME.test(label)) el.setAttribute("aria-label", label.replace(CLAIM_NAME, name));
          else if (/^(Delete: |Cite a source in |Move )Section \d+, claim \d+/.test(label)) {
            el.setAttribute("aria-label", label.replace(/Section \d+, claim \d+/, name));
          }
        });
      });
    });
  }

  function refreshMoveButtons(rows) {
    rows.forEach(function (row, index) {
      var controls = row.querySelector(CLAIM_ID.test(row.id) ? ":scope > tr .row-move" : ":scope > h3 .row-move");
      if (!controls) return;
      controls.querySelector(".move-up").setAttribute("aria-disabled", index === 0 ? "true" : "false");
      controls.querySelector(".move-down").setAttribute("aria-disabled", index === rows.length - 1 ? "true" : "false");
    });
  }

  function move(row, by) {
    var rows = siblingsOf(row);
    var from = rows.indexOf(row);
    var to = from + by;
    if (from < 0 || to < 0 || to >= rows.length) return;
    var other = rows[to];
    // move the neighbour, not the row: the focused button never leaves the page, so focus stays on it
    if (by < 0) row.parentNode.insertBefore(other, row.nextSibling);
    else row.parentNode.insertBefore(other, row);
    rows = siblingsOf(row);
    renumber(rows);
    refreshMoveButtons(rows);
    renameClaims();
    if (CLAIM_ID.test(row.id)) {
      var section = sectionOfClaim(row);
      var s = sections().indexOf(section) + 1;
      announce("Claim " + (from + 1) + " moved to position " + (to + 1) + " of " + rows.length + " in section " + s + ".");
    } else {
      announce("Section " + (from + 1) + ", “" + headingOf(row) + "”, moved to position " + (to + 1) + " of " + rows.length + ".");
      rows.forEach(labelSection);
      buildToc();
    }
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function moveButtons(label) {
    var box = document.createElement("span");
    box.className = "row-move";
    [["move-up", "↑", "up"], ["move-down", "↓", "down"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "row-move-button " + spec[0];
      button.textContent = spec[1];
      button.setAttribute("aria-label", "Move " + label + " " + spec[2]);
      button.title = "Move " + spec[2];
      box.appendChild(button);
    });
    return box;
  }

  // --- enhancing each section and claim -------------------------------------------------------

  function labelSection(section) {
    var number = sections().indexOf(section) + 1;
    var word = section.querySelector(".section-toggle .section-word");
    if (word) word.textContent = "Section " + number + ": ";
    var title = section.querySelector(".section-toggle .section-title");
    if (title) title.textContent = headingOf(section);
    section.querySelectorAll(":scope > h3 .row-move-button").forEach(function (button) {
      var way = button.classList.contains("move-up") ? "up" : "down";
      button.setAttribute("aria-label", "Move section " + number + ", “" + headingOf(section) + "”, " + way);
    });
  }

  function enhanceSection(section) {
    if (section.dataset.layoutReady) return;
    var h3 = section.querySelector(":scope > h3");
    if (!h3) return;
    section.dataset.layoutReady = "1";
    var label = h3.querySelector(".inline_label");
    section.dataset.heading = label ? label.textContent.trim() : "";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "section-toggle";
    toggle.setAttribute("aria-expanded", "true");
    var word = document.createElement("span");
    word.className = "section-word";
    var title = document.createElement("span");
    title.className = "section-title";
    toggle.appendChild(word);
    toggle.appendChild(title);
    // the heading's own words go inside its button (nested_admin's "Section:" label is replaced)
    Array.prototype.slice.call(h3.childNodes).forEach(function (node) {
      if (node.nodeType === 3 || node.tagName === "B" || (node.classList && node.classList.contains("inline_label"))) {
        h3.removeChild(node);
      }
    });
    h3.insertBefore(toggle, h3.firstChild);
    var meta = document.createElement("span");
    meta.className = "section-meta";
    toggle.insertAdjacentElement("afterend", meta);
    if (section.querySelector("input[name='" + section.id + "-position']")) {
      meta.insertAdjacentElement("afterend", moveButtons("section"));
    }
    labelSection(section);
    claimsOf(section).forEach(enhanceClaim);
  }

  function enhanceClaim(claim) {
    if (claim.dataset.layoutReady) return;
    var cell = claim.querySelector(":scope > tr > td.original");
    if (!cell || !claim.querySelector("input[name='" + claim.id + "-position']")) return;
    claim.dataset.layoutReady = "1";
    var text = claim.querySelector("textarea[aria-label]");
    var name = text ? text.getAttribute("aria-label").replace(/ text$/, "") : "claim";
    var handle = cell.querySelector(".djn-drag-handler");
    if (handle) handle.insertAdjacentElement("afterend", moveButtons(name));
    else cell.insertBefore(moveButtons(name), cell.firstChild);
  }

  function enhanceAll() {
    var rows = sections();
    rows.forEach(enhanceSection);
    refreshMoveButtons(rows);
    rows.forEach(function (section) {
      labelSection(section);
      var claims = claimsOf(section);
      claims.forEach(enhanceClaim);
      refreshMoveButtons(claims);
      updateMeta(section);
    });
  }

  // --- the table of contents ------------------------------------------------------------------

  function buildToc() {
    var list = document.querySelector("#form-toc [data-toc-sections]");
    if (!list) return;
    list.textContent = "";
    sections().forEach(function (section, index) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + section.id;
      link.dataset.tocTarget = section.id;
      link.textContent = (index + 1) + ". " + headingOf(section);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function focusTarget(target) {
    var section = SECTION_ID.test(target.id || "") ? target : null;
    if (section) {
      setCollapsed(section, false);
      return section.querySelector(".section-toggle") || section;
    }
    openAround(target);
    if (/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName)) return target;
    var heading = /^H[1-6]$/.test(target.tagName) ? target : target.querySelector("h2, h3");
    var place = heading || target;
    if (!place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
    return place;
  }

  function jump(event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link || link.getAttribute("href").length < 2) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    if (link.closest("#form-toc")) {
      event.preventDefault();
      var place = focusTarget(target);
      place.scrollIntoView({ block: "start" });
      place.focus({ preventScroll: true });
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", "#" + target.id);
    } else {
      openAround(target); // a link elsewhere (a comment's "edit this claim") into a folded section
    }
  }

  // --- the controls ---------------------------------------------------------------------------

  function allControls() {
    var box = document.createElement("p");
    box.className = "sections-fold";
    [["Collapse all sections", true], ["Expand all sections", false]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button sections-fold-button";
      button.dataset.collapse = spec[1] ? "1" : "0";
      button.textContent = spec[0];
      box.appendChild(button);
    });
    return box;
  }

  function onClick(event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) return jump(event);
    if (button.classList.contains("section-toggle")) {
      var section = button.closest(".djn-inline-form");
      setCollapsed(section, !isCollapsed(section));
    } else if (button.classList.contains("sections-fold-button")) {
      var collapse = button.dataset.collapse === "1";
      sections().forEach(function (s) { setCollapsed(s, collapse, true); });
      remember();
      announce(collapse ? "All sections collapsed to their headings." : "All sections expanded.");
    } else if (button.classList.contains("row-move-button")) {
      if (button.getAttribute("aria-disabled") === "true") return;
      var row = button.closest("tbody.djn-inline-form") || button.closest(".djn-inline-form");
      move(row, button.classList.contains("move-up") ? -1 : 1);
    }
  }

  function start() {
    form = document.getElementById("article_form");
    group = document.getElementById("sections-group");
    if (!form || !group) return;
    storageKey = "oracle-form-sections:" + window.location.pathname;
    status = document.createElement("div");
    status.className = "form-layout-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);
    var groupHeading = group.querySelector(":scope > fieldset > h2");
    if (groupHeading) groupHeading.insertAdjacentElement("afterend", allControls());
    var toc = document.getElementById("form-toc");
    if (toc) toc.appendChild(allControls());
    // read-only (a locked article): nothing can be moved, so nothing offers to be dragged either
    if (!group.querySelector("input[name$='-position']:not([name*='__prefix__']):not([name*='-empty-'])")) {
      group.classList.add("is-read-only");
    }
    enhanceAll();
    buildToc();
    var folded = remembered();
    sections().forEach(function (section) {
      var problem = section.querySelector(PROBLEM);
      setCollapsed(section, !problem && folded.indexOf(sectionKey(section)) !== -1, true);
    });
    if (window.location.hash.length > 1) {
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target) openAround(target);
    }
    document.addEventListener("click", onClick);
    // the browser's find-in-page opens a folded section that holds what was found
    document.addEventListener("beforematch", function (event) { openAround(event.target); });
    form.addEventListener("input", function (event) {
      if (/^sections-\d+-heading$/.test(event.target.name || "")) {
        var section = document.getElementById(event.target.name.replace(/-heading$/, ""));
        if (section) labelSection(section);
        buildToc();
      }
    });
    form.addEventListener("submit", remember);
    // a section or claim added, removed or dragged to another place in the page: enhance what is
    // new, and name, number and list everything by where it now is
    function row(node) { return node.nodeType === 1 && (SECTION_ID.test(node.id || "") || CLAIM_ID.test(node.id || "")); }
    new MutationObserver(function (changes) {
      var changed = changes.some(function (change) {
        return Array.prototype.some.call(change.addedNodes, row) || Array.prototype.some.call(change.removedNodes, row);
      });
      if (changed) { enhanceAll(); renameClaims(); buildToc(); }
    }).observe(group, { childList: true, subtree: true });
  }

  // after the other scripts' own start (comments.js notes open threads beside their claims)
  function later() { window.setTimeout(start, 0); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
})();
