// Live session pages (templates/deliberation/session_page.html, session_projector_page.html):
// after each live message (the "wethi:live" event of wethi.js, from the socket or from
// polling) keep the ideas in order — pinned first, then newest or most votes — with no idea
// twice, and follow the session's state: the form shows while it is open, the vote buttons
// work only then. The frames themselves only add, replace and remove elements.
(function () {
  "use strict";

  function key(item, byVotes) {
    var pin = item.querySelector(".idea-pin");
    var votes = item.querySelector("[data-votes]");
    return [
      pin && pin.getAttribute("data-pinned") === "1" ? 1 : 0,
      byVotes && votes ? Number(votes.getAttribute("data-votes")) || 0 : 0,
      Number(item.getAttribute("data-id")) || 0,
    ];
  }

  function compare(a, b) {
    for (var i = 0; i < a.key.length; i += 1) {
      if (a.key[i] !== b.key[i]) {
        return b.key[i] - a.key[i];
      }
    }
    return 0;
  }

  function tidy(list) {
    var seen = {};
    var items = [];
    Array.prototype.forEach.call(list.children, function (item) {
      if (seen[item.id]) {
        item.remove(); // shown again (restored) while the page still had it
        return;
      }
      seen[item.id] = true;
      items.push(item);
    });
    var byVotes = list.getAttribute("data-order") === "top";
    var keyed = items.map(function (item, index) {
      return { item: item, key: key(item, byVotes), index: index };
    });
    keyed.sort(function (a, b) {
      return compare(a, b) || a.index - b.index;
    });
    var moved = keyed.some(function (entry, index) {
      return entry.index !== index;
    });
    if (moved) {
      var fragment = document.createDocumentFragment();
      keyed.forEach(function (entry) {
        fragment.appendChild(entry.item);
      });
      list.appendChild(fragment);
    }
    var empty = list.nextElementSibling;
    if (empty && empty.classList.contains("when-empty")) {
      empty.hidden = items.length > 0;
    }
  }

  function follow(page) {
    var state = document.getElementById("session-state");
    var status = state && state.getAttribute("data-status");
    if (status && page.getAttribute("data-session-status") !== status) {
      page.setAttribute("data-session-status", status);
      page.querySelectorAll(".vote-form button").forEach(function (button) {
        button.disabled = status !== "open";
      });
    }
    var list = page.querySelector("#session-idea-list");
    if (list) {
      tidy(list);
    }
  }

  // The console (a facilitator or two) fetches its own view again after frames: at once
  // after a quiet second, else once the second is over, the last change always included.
  var REFRESH_EVERY = 1000;
  var refreshDue = null;
  var refreshedAt = 0;
  function refreshConsole() {
    var source = document.getElementById("console_refresh");
    if (!source || refreshDue !== null || !window.htmx) {
      return;
    }
    var wait = Math.max(0, refreshedAt + REFRESH_EVERY - Date.now());
    refreshDue = window.setTimeout(function () {
      refreshDue = null;
      refreshedAt = Date.now();
      window.htmx.trigger(source, "wethi:refresh");
    }, wait);
  }

  // A snapshot (a phone back from far behind: deliberation/sessions/snapshot.py) replaces
  // the whole list and the poll area, rendered for everyone: this reader keeps their own
  // vote buttons, and the poll they are answering if it is still the same one.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var fresh = event.detail.fragment;
    if (!target || !fresh || !fresh.querySelector) {
      return;
    }
    if (target.id === "session-idea-list") {
      target.querySelectorAll(".vote-form[id]").forEach(function (form) {
        var replaced = fresh.querySelector("#" + CSS.escape(form.id));
        if (replaced) {
          replaced.replaceWith(form.cloneNode(true));
        }
      });
    } else if (target.id === "session-poll") {
      var incoming = fresh.id === "session-poll" ? fresh : fresh.querySelector("#session-poll");
      var same = incoming && incoming.getAttribute("data-poll");
      if (same && same === target.getAttribute("data-poll")) {
        event.detail.shouldSwap = false;
      }
    }
  });

  document.addEventListener("wethi:live", function () {
    document.querySelectorAll(".session-live").forEach(follow);
    refreshConsole();
  });
})();
