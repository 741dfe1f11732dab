/* Quick exit: "Leave this site", or Esc pressed twice, hides the page at once and replaces it in the
   browser's history with a neutral site, so the back button does not return here. Without JavaScript the
   button is an ordinary link to the same neutral site. */
(function () {
  "use strict";
  var ESC_WINDOW_MS = 1000;
  var lastEsc = 0;

  function leave(url) {
    document.documentElement.style.display = "none";
    document.title = "";
    window.location.replace(url);
  }

  function exitUrl() {
    var link = document.querySelector("[data-quick-exit]");
    return link ? link.getAttribute("href") : null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (!link) { return; }
    event.preventDefault();
    leave(link.getAttribute("href"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    var now = Date.now();
    if (now - lastEsc <= ESC_WINDOW_MS) {
      var url = exitUrl();
      if (url) { leave(url); }
      lastEsc = 0;
    } else {
      lastEsc = now;
    }
  });
})();
