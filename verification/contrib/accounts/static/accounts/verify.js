// The code page, enhanced: a live countdown until a resend (or a new code) is allowed, WebOTP autofill,
// and in keypad mode a poll of the code step's status that goes on once the phone has sent the code.
// Everything here is optional: the forms work the same without it.
(function () {
  "use strict";

  var wait = document.getElementById("resend-wait");
  if (wait) {
    // The server's words, in the page's language (pages.wait_words): seconds under two minutes,
    // whole minutes from there; "{n}" and "{wait}" are filled in here.
    var words = function (name, fallback) { return wait.getAttribute("data-" + name) || fallback; };
    var waitWords = function (seconds) {
      if (seconds < 120) return words(seconds === 1 ? "unit-one" : "unit-other", "{n} s").replace("{n}", seconds);
      return words("unit-minutes", "{n} min").replace("{n}", Math.ceil(seconds / 60));
    };
    var seconds = parseInt(wait.getAttribute("data-wait-seconds"), 10) || 0;
    var later = words("wait-later", "{wait}");
    var now = words("wait-now", "");
    var sendWhenFree = wait.hasAttribute("data-send-when-free");
    var buttons = document.querySelectorAll("[data-resend]");
    var status = document.getElementById("resend-status");
    var deadline = Date.now() + seconds * 1000;
    var timer = null;
    var tick = function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = left > 0;
      if (left > 0) {
        wait.textContent = later.replace("{wait}", waitWords(left));
      } else {
        wait.textContent = now;
        if (timer !== null) {
          clearInterval(timer);
          if (status) status.textContent = now;
          // A code this step has not sent yet (a sign-in right after another code): it goes by itself.
          if (sendWhenFree && buttons.length) buttons[0].form.requestSubmit(buttons[0]);
        }
      }
    };
    tick();
    if (seconds > 0) timer = setInterval(tick, 1000);
  }

  // Keypad mode: once the status leaves "pending", the continue form asks the server what that means
  // (signed in, number changed, or the page of an ended code). Without this, the person presses it.
  var keypad = document.getElementById("keypad-form");
  if (keypad && window.fetch) {
    var statusUrl = keypad.getAttribute("data-status-url");
    var submitted = false;
    var goOn = function () {
      if (submitted) return;
      submitted = true;
      keypad.submit();
    };
    keypad.addEventListener("submit", function (event) {
      if (submitted) event.preventDefault();  // one continue only: the poll may have sent it already
      submitted = true;
    });
    var poll = function () {
      fetch(statusUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.status === "pending") setTimeout(poll, 2000);
          else goOn();
        })
        .catch(function () { if (!submitted) setTimeout(poll, 5000); });  // offline for a moment: try again later
    };
    setTimeout(poll, 2000);
  }

  // WebOTP: the SMS ends with "@host #code"; a supporting browser offers to fill it in.
  var input = document.querySelector('input[autocomplete="one-time-code"]');
  if (input && input.form && "OTPCredential" in window && navigator.credentials) {
    var form = input.form;
    var abort = new AbortController();
    form.addEventListener("submit", function () { abort.abort(); });
    navigator.credentials.get({ otp: { transport: ["sms"] }, signal: abort.signal }).then(function (otp) {
      if (otp && otp.code) {
        input.value = otp.code;
        form.submit();
      }
    }).catch(function () { /* dismissed or unsupported: the person types the code */ });
  }
})();
