// The reader's audience choice. The HTML is the same for every reader (so pages cache); the
// choice lives in a cookie and is applied as html[data-audience], which CSS uses to show the
// right version. Without JavaScript the choice links still work: /audience/ sets the cookie and
// returns to the page with ?audience=…, which the server applies.
(function () {
  "use strict";
  var COOKIE = "oracle_audience";
  var VALID = { patient: true, professional: true, student: true };
  var root = document.documentElement;

  function remembered() {
    var match = document.cookie.match(/(?:^|;\s*)oracle_audience=([a-z]+)/);
    return match && VALID[match[1]] ? match[1] : null;
  }

  function choose(audience) {
    document.cookie = COOKIE + "=" + audience + "; path=/; max-age=31536000; samesite=lax" + (location.protocol === "https:" ? "; secure" : "");
    root.setAttribute("data-audience", audience);
    markChoice();
  }

  function markChoice() {
    var current = root.getAttribute("data-audience");
    document.querySelectorAll(".audience-choice").forEach(function (link) {
      link.setAttribute("aria-pressed", link.getAttribute("data-audience") === current ? "true" : "false");
    });
  }

  if (!root.hasAttribute("data-audience") && remembered()) {
    root.setAttribute("data-audience", remembered());
  }

  document.addEventListener("DOMContentLoaded", function () {
    markChoice();
    // tell the editors which audience a follow-up question comes from
    document.querySelectorAll(".follow-up-form").forEach(function (form) {
      form.addEventListener("submit", function () {
        var field = form.querySelector(".follow-up-audience");
        if (field) field.value = root.getAttribute("data-audience") || "";
      });
    });
    document.querySelectorAll(".audience-choice").forEach(function (link) {
      link.setAttribute("role", "button");
      link.addEventListener("click", function (event) {
        var audience = link.getAttribute("data-audience");
        if (!VALID[audience]) return;
        event.preventDefault();
        choose(audience);
      });
    });
  });
})();
