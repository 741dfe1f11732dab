// An optional timer for each round of a listening circle. Without JavaScript the rounds stay a plain list.
(function () {
  "use strict";
  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function setUp(item, words) {
    var minutes = parseInt(item.getAttribute("data-minutes"), 10);
    if (!minutes) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary";
    button.textContent = words.start;
    var display = document.createElement("span");
    display.setAttribute("role", "timer");
    display.setAttribute("aria-live", "off");
    display.className = "round-timer";
    var status = document.createElement("span");
    status.setAttribute("aria-live", "polite");
    status.className = "visually-hidden";
    var left = minutes * 60;
    var ticking = null;
    display.textContent = format(left);
    button.addEventListener("click", function () {
      if (ticking) {
        clearInterval(ticking);
        ticking = null;
        button.textContent = words.resume;
        return;
      }
      button.textContent = words.pause;
      ticking = setInterval(function () {
        left -= 1;
        display.textContent = format(Math.max(left, 0));
        if (left <= 0) {
          clearInterval(ticking);
          ticking = null;
          button.textContent = words.start;
          left = minutes * 60;
          status.textContent = words.done;
        }
      }, 1000);
    });
    item.appendChild(document.createTextNode(" "));
    item.appendChild(display);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(button);
    item.appendChild(status);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var guide = document.querySelector("[data-round-guide]");
    if (!guide) {
      return;
    }
    var words = {
      start: guide.getAttribute("data-start"),
      pause: guide.getAttribute("data-pause"),
      resume: guide.getAttribute("data-resume"),
      done: guide.getAttribute("data-done")
    };
    var items = guide.querySelectorAll("li[data-minutes]");
    for (var i = 0; i < items.length; i += 1) {
      setUp(items[i], words);
    }
  });
})();
