/* The editor's change form: each open comment thread of the review panel is also noted beside the
   box that edits its text (a claim, a heading, the summary), with a link back to the thread. The
   panel alone works without JavaScript; this only brings the thread next to its claim. Text is set
   with textContent: nothing the comment says is parsed as HTML. */
(function () {
  "use strict";
  function noteFor(thread, link) {
    var target = document.querySelector(link.getAttribute("href"));
    if (!target) return;
    var first = thread.querySelector(".comment");
    var note = document.createElement("p");
    note.className = "claim-thread-note";
    var badge = document.createElement("span");
    var outdated = thread.classList.contains("comment-thread--outdated");
    badge.className = "comment-badge " + (outdated ? "comment-badge--outdated" : "comment-badge--open");
    badge.textContent = outdated ? "Open comment, outdated" : "Open comment";
    note.appendChild(badge);
    if (first) {
      var who = first.querySelector(".comment-meta strong");
      var body = first.querySelector(".comment-body");
      var text = (body ? body.textContent : "").trim();
      if (text.length > 140) text = text.slice(0, 137) + "…";
      note.appendChild(document.createTextNode(" " + (who ? who.textContent + ": " : "") + text + " "));
    }
    var back = document.createElement("a");
    back.href = "#" + thread.id;
    back.textContent = "Read and reply";
    note.appendChild(back);
    var place = target.closest("td, .form-row, .field-box") || target.parentNode;
    place.appendChild(note);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#review-comments .comment-thread").forEach(function (thread) {
      if (thread.classList.contains("comment-thread--resolved")) return;
      var link = thread.querySelector('a[href^="#id_"]');
      if (link) noteFor(thread, link);
    });
  });
})();
