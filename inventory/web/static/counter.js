// The print counter without page loads: each press is posted in turn (so the tally shown is
// the latest), with a fresh nonce so a retry records nothing twice, and the focus stays on the
// print button. Without this script the same forms work as plain forms.
(function () {
  "use strict";
  var form = document.getElementById("counter-form");
  if (!form || !window.fetch || !window.FormData) return;
  var printButton = document.getElementById("print-button");
  var status = document.getElementById("counter-status");
  var tally = document.getElementById("tally");
  var queue = Promise.resolve();
  var waiting = 0;

  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "counter-status" + (kind ? " flash-" + kind : "");
  }

  function send(url, data) {
    waiting += 1;
    form.setAttribute("aria-busy", "true");
    queue = queue.then(function () {
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        // Not our JSON: the form's token has expired or the session has ended (a page, not an answer).
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) throw new Error("stale");
        return response.json();
      }).then(function (answer) {
        tally.innerHTML = answer.tally;
        var last = answer.messages[answer.messages.length - 1] || ["", ""];
        say(answer.messages.map(function (m) { return m[1]; }).join(" "), last[0]);
      }).catch(function (error) {
        say(error.message === "stale" ? form.dataset.stale : form.dataset.offline, "error");
      }).then(function () {
        waiting -= 1;
        if (!waiting) form.removeAttribute("aria-busy");
      });
    });
  }

  // A blank's serial is used once: the box is emptied as the press is sent, and keeps the
  // focus when a serial was typed or scanned into it, ready for the next blank.
  var serial = form.elements.namedItem("serial");

  function record(outcome) {
    var data = new FormData(form);
    data.set("outcome", outcome);
    data.set("nonce", nonce());
    send(form.action, data);
    var scanned = serial && serial.value;
    if (serial) serial.value = "";
    (scanned ? serial : printButton).focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter;
    record(submitter && submitter.name === "outcome" ? submitter.value : "printed");
  });

  // S records a spoiled card from anywhere on the page but a text box.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target.closest && target.closest("input:not([type=radio]), textarea, select, #day-form")) return;
    if (event.key === "s" || event.key === "S") {
      event.preventDefault();
      record("spoiled");
    }
  });

  tally.addEventListener("submit", function (event) {
    if (event.target.id !== "undo-form") return;
    event.preventDefault();
    var data = new FormData(event.target);
    data.set("nonce", nonce());
    send(event.target.action, data);
    printButton.focus();
  });
})();
