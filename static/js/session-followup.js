/* The console's share link (templates/deliberation/_session_followup.html): a copy button
   for the link and the invitation. The clipboard API needs a secure context and may be
   refused (LINE's in-app browser, an http:// address on the hall's network): then the text
   is selected, so the person copies it themselves. Without JavaScript the buttons stay
   hidden and the text can be selected by hand. */
(function () {
  "use strict";

  function say(button, attribute) {
    var status = document.getElementById("share-copy-status");
    if (status) {
      status.textContent = button.getAttribute(attribute) || "";
    }
  }

  function select(field) {
    field.focus();
    field.select();
    if (field.setSelectionRange) {
      field.setSelectionRange(0, field.value.length); // iOS selects nothing with select() alone
    }
  }

  function fallback(button, field) {
    select(field);
    var copied = false;
    try {
      copied = document.execCommand && document.execCommand("copy");
    } catch (ignored) {
      copied = false;
    }
    say(button, copied ? "data-copied" : "data-selected");
  }

  function show() {
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-from]");
    var field = button && document.getElementById(button.getAttribute("data-copy-from"));
    if (!field) {
      return;
    }
    event.preventDefault();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(button, "data-copied");
      }, function () {
        fallback(button, field);
      });
    } else {
      fallback(button, field);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
