// Mark the reader's chosen audience (a cookie set by /audience/) so the page can adapt to it.
// The HTML is the same for every reader; without JavaScript the choice links still work.
(function () {
  var match = document.cookie.match(/(?:^|;\s*)oracle_audience=([a-z]+)/);
  if (match) {
    document.documentElement.setAttribute("data-audience", match[1]);
  }
})();
