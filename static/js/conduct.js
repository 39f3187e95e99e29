/* Wethi (เวที): the meeting page during the meeting (templates/deliberation/_conduct.html).
   Loaded on every page by base.html (no script in a page's body); idle where there is no
   clock. Progressive enhancement only: without it the page shows the time at page load.

   (a) The clock of the item under consideration ticks: <time data-clock-start> holds the
   instant its time counts from, data-clock-now the server's time when the panel was made
   (so a phone whose clock is wrong still shows the right time), data-clock-box the item's
   time box in seconds; past it the element marked data-clock-over is shown.

   (b) A live refresh of the panel keeps the outcome form someone is typing in: wethi.js
   carries the typed text over; here the form also keeps the version it was based on, so
   that saving over another secretary's newer outcome is refused with a message instead of
   silently replacing it. */
(function () {
  "use strict";

  function format(total) {
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var mm = hours ? String(minutes).padStart(2, "0") : String(minutes);
    var text = mm + ":" + String(seconds).padStart(2, "0");
    return hours ? hours + ":" + text : text;
  }

  function tick() {
    document.querySelectorAll("time[data-clock-start]").forEach(function (clock) {
      var start = Date.parse(clock.getAttribute("data-clock-start"));
      if (isNaN(start)) {
        return;
      }
      if (!clock.hasAttribute("data-clock-offset")) {
        var serverNow = Date.parse(clock.getAttribute("data-clock-now") || "");
        clock.setAttribute("data-clock-offset", String(isNaN(serverNow) ? 0 : serverNow - Date.now()));
      }
      var now = Date.now() + Number(clock.getAttribute("data-clock-offset"));
      var elapsed = Math.max(0, Math.floor((now - start) / 1000));
      var text = format(elapsed);
      if (clock.textContent !== text) {
        clock.textContent = text;
        clock.setAttribute("datetime", "PT" + elapsed + "S");
      }
      var box = Number(clock.getAttribute("data-clock-box") || 0);
      var over = clock.closest(".conduct-time");
      var warning = over && over.querySelector("[data-clock-over]");
      if (warning && box) {
        warning.hidden = elapsed <= box;
      }
    });
  }
  // Ticking only while a page shows a clock (the panel may arrive later, by a live refresh).
  var ticking = null;
  function watch() {
    var shown = document.querySelector("time[data-clock-start]") !== null;
    if (shown && ticking === null) {
      tick();
      ticking = window.setInterval(tick, 1000);
    } else if (!shown && ticking !== null) {
      window.clearInterval(ticking);
      ticking = null;
    }
  }
  document.addEventListener("htmx:afterSettle", watch);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }

  // Forms being written when a live refresh arrives: the same item's form in the new panel
  // takes the version the old one was based on (wethi.js has carried the text over); a form
  // for an item no longer under consideration (the meeting moved on while the secretary
  // was writing) is put back into the new panel as it was.
  var kept = null;
  function dirty(form) {
    return Array.prototype.some.call(form.querySelectorAll("textarea, select"), function (field) {
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return field.value !== field.defaultValue;
    });
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    kept = null;
    if (!source || !source.hasAttribute || !source.hasAttribute("data-live-refresh") ||
        !event.detail.target || !event.detail.shouldSwap) {
      return;
    }
    event.detail.target.querySelectorAll("form[data-outcome-form]").forEach(function (form) {
      if (dirty(form) && form.elements.version) {
        kept = kept || [];
        kept.push({ form: form, box: form.closest("details") || form, version: form.elements.version.value });
      }
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    var forms = kept;
    kept = null;
    if (!forms) {
      return;
    }
    forms.forEach(function (draft) {
      var form = document.getElementById(draft.form.id);
      if (form && form !== draft.form) {
        form.elements.version.value = draft.version;
      } else if (!form) {
        var panel = document.getElementById("conduct");
        var place = panel && panel.querySelector(":scope > .conduct-record, :scope > p:last-child");
        if (!panel) {
          return;
        }
        panel.insertBefore(draft.box, place || null);
        if (window.htmx) {
          window.htmx.process(draft.box);
        }
        form = draft.form;
      }
      var details = form.closest("details");
      if (details) {
        details.open = true;
      }
    });
  });
})();
