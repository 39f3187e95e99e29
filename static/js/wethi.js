/* Wethi (เวที): small progressive enhancements. Every page works without this file.
   No framework, no eval, no inline handlers (the CSP forbids them). */
(function () {
  "use strict";

  var WIDE = window.matchMedia("(min-width: 48rem)");

  // (a) data-confirm="text" on a button or a form: ask before submitting. Capturing on
  // the document runs before htmx's own listeners, so a refusal stops those requests too.
  function refused(element) {
    var text = element && element.getAttribute("data-confirm");
    return Boolean(text) && !window.confirm(text);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[data-confirm]");
    if (button && refused(button)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var asked = event.submitter && event.submitter.hasAttribute("data-confirm");
    if (!asked && refused(event.target)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // (f) One submission per form: a double tap on a weak connection must not create two
  // meetings. Registered after (a), so a refused confirmation never marks the form busy;
  // freed when htmx's request ends or when the page is shown again (back button).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    form.setAttribute("data-submitting", "");
    form.setAttribute("aria-busy", "true");
  }, true);
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) {
      return; // done: the next page is on its way, the form stays sent
    }
    if (form) {
      form.removeAttribute("data-submitting");
      form.removeAttribute("aria-busy");
    }
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.removeAttribute("aria-busy");
    });
  });

  // (b) data-copy="text" buttons: copy to the clipboard, show data-copied for a moment.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) {
      return;
    }
    event.preventDefault();
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      button.classList.add("copied");
      window.setTimeout(function () {
        button.textContent = label;
        button.classList.remove("copied");
      }, 2000);
    });
  });

  // (c) when new content (an htmx swap, or a re-rendered page) has an error summary,
  // move focus to it so screen readers and keyboards start at the problems.
  function focusErrors(root) {
    var summary = root.matches && root.matches(".error-summary") ? root
      : root.querySelector && root.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    focusErrors(event.target); // the new content (detail.elt may be the replaced element)
  });

  // (d) the navigation menu: open on wide screens (where the CSS cannot force a closed
  // <details> open), closed after a link is chosen on narrow ones.
  function syncMenus() {
    document.querySelectorAll(".nav-menu").forEach(function (menu) {
      menu.open = WIDE.matches;
    });
  }
  if (WIDE.addEventListener) {
    WIDE.addEventListener("change", syncMenus);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".nav-menu a");
    if (link && !WIDE.matches) {
      link.closest(".nav-menu").open = false;
    }
  });
  document.addEventListener("keydown", function (event) {
    var menu = event.key === "Escape" && event.target.closest && event.target.closest(".nav-menu[open]");
    if (menu && !WIDE.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  // (e) data-autosubmit on a <select> or a search field: submit its form on change
  // (text fields after a pause in typing).
  var timers = new WeakMap();
  function autosubmit(field) {
    if (field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  }
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches("select[data-autosubmit]")) {
      autosubmit(field);
    }
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches("input[data-autosubmit]")) {
      return;
    }
    window.clearTimeout(timers.get(field));
    timers.set(field, window.setTimeout(function () {
      autosubmit(field);
    }, 400));
  });

  function ready() {
    syncMenus();
    focusErrors(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
