// Scanning a ticket's QR code at the check-in desk, where the phone's browser can (BarcodeDetector). It only
// fills in the search field and sends the form: without it, or without a camera, typing works the same.
(function () {
  "use strict";
  function start(form) {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return;
    }
    var field = form.querySelector("input[name=q]");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary";
    button.textContent = form.getAttribute("data-scan-start");
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "hint";
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-label", form.getAttribute("data-scan-video"));
    video.muted = true;
    video.hidden = true;
    video.className = "desk-scan";
    var stream = null;
    var detector = null;
    function stop() {
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
      }
      stream = null;
      video.hidden = true;
      button.textContent = form.getAttribute("data-scan-start");
    }
    function look() {
      if (!stream) {
        return;
      }
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          field.value = codes[0].rawValue;
          stop();
          form.submit();
        } else {
          window.setTimeout(look, 250);
        }
      }, function () { window.setTimeout(look, 500); });
    }
    button.addEventListener("click", function () {
      if (stream) {
        stop();
        return;
      }
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        status.textContent = "";
        button.textContent = form.getAttribute("data-scan-stop");
        video.play().then(look, look);
      }, function () {
        status.textContent = form.getAttribute("data-scan-failed");
      });
    });
    form.appendChild(button);
    form.appendChild(status);
    form.appendChild(video);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("check-in-search");
    if (form) {
      start(form);
    }
  });
})();
