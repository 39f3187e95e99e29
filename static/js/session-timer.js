/* Wethi (เวที): the live session's countdown timer and poll area
   (templates/deliberation/_session_polls.html). Progressive enhancement only: without it
   the page shows the time left when it was loaded.

   (a) #session-timer counts down to its data-ends-at (ISO-8601 UTC) every second, against
   the server's clock: the page's [data-server-now] gives the offset of this phone's clock,
   read once when the page has loaded (a frame replayed later carries no "now", so it
   cannot skew it; read any later, the page's time would be stale by then). At
   zero it shows its data-done text ("Time is up"). A paused or stopped timer has no
   data-ends-at and is left as the server wrote it. A live frame replaces the element
   (hx-swap-oob): the next tick reads the new attributes.

   (b) On the console and the projector ([data-poll-readonly]) the poll area a frame brings
   holds the phones' answer form: it is removed there. */
(function () {
  "use strict";

  var offset = null; // server time minus this device's time, in ms

  function serverOffset() {
    if (offset === null) {
      var holder = document.querySelector("[data-server-now]");
      var now = holder ? Date.parse(holder.getAttribute("data-server-now") || "") : NaN;
      offset = isNaN(now) ? 0 : now - Date.now();
    }
    return offset;
  }

  function format(total) {
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var text = String(minutes).padStart(2, "0") + ":" + String(seconds).padStart(2, "0");
    return hours ? hours + ":" + text : text;
  }

  function tick() {
    var timer = document.getElementById("session-timer");
    if (!timer) {
      return;
    }
    if (document.querySelector('.session-live[data-session-status="closed"]')) {
      timer.hidden = true; // the session has ended: so has its countdown
      return;
    }
    var ends = Date.parse(timer.getAttribute("data-ends-at") || "");
    if (isNaN(ends)) {
      return; // paused or stopped: the server's text stands
    }
    var left = Math.max(0, Math.ceil((ends - (Date.now() + serverOffset())) / 1000));
    var text = left > 0 ? format(left) : timer.getAttribute("data-done") || "0:00";
    if (timer.textContent !== text) {
      timer.textContent = text;
      timer.setAttribute("data-left", String(left));
      timer.classList.toggle("is-done", left === 0);
    }
  }

  function dropForms() {
    document.querySelectorAll("[data-poll-readonly] .poll-answer").forEach(function (form) {
      form.remove();
    });
  }

  function refresh() {
    dropForms();
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    serverOffset(); // now, while the page's server time is fresh (not when a timer starts)
    refresh();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:oobAfterSwap", refresh);
  document.addEventListener("htmx:afterSwap", refresh);
  document.addEventListener("wethi:live", refresh);
})();
