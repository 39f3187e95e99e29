// Live session pages (templates/deliberation/session_page.html, session_projector_page.html):
// after each live message (the "wethi:live" event of wethi.js, from the socket or from
// polling) keep the ideas in order — pinned first, then newest or most votes — with no idea
// twice, and follow the session's state: the form shows while it is open, the vote buttons
// work only then. The frames themselves add, replace and remove rows (lean: see
// templates/deliberation/_session_parts.html); the vote counts of a moment arrive as one
// element of `id:count` pairs, applied here.
(function () {
  "use strict";

  function idOf(item) {
    return Number(item.id.slice("idea-".length)) || 0;
  }

  function key(item, byVotes) {
    var votes = byVotes && document.getElementById("votes-" + idOf(item));
    return [
      item.hasAttribute("data-pinned") ? 1 : 0,
      votes ? Number(votes.textContent) || 0 : 0,
      idOf(item),
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
    var empty = list.parentNode.querySelector(".when-empty");
    if (empty) {
      empty.hidden = items.length > 0;
    }
  }

  function follow(page) {
    var state = document.getElementById("session-state");
    var status = state && state.getAttribute("data-status");
    if (status && page.getAttribute("data-session-status") !== status) {
      page.setAttribute("data-session-status", status);
      page.querySelectorAll("#ideas button[form]").forEach(function (button) {
        button.disabled = status !== "open";
      });
    }
    var list = page.querySelector("#ideas");
    if (list) {
      tidy(list);
    }
  }

  // The counts of a moment: "12:5 13:7" — each idea's count, as the server has it.
  function applyCounts(value) {
    (value || "").split(" ").forEach(function (pair) {
      var colon = pair.indexOf(":");
      var count = colon > 0 && document.getElementById("votes-" + pair.slice(0, colon));
      if (count) {
        count.textContent = pair.slice(colon + 1);
      }
    });
  }

  // A frame replacing rows — a snapshot (a phone back from far behind) replaces the whole
  // list, a correction or a pin one row — is rendered for everyone: this reader keeps their
  // own vote buttons; the poll area is kept while it is the same poll being answered.
  function keepButtons(from, into) {
    from.querySelectorAll("button[form][value]").forEach(function (button) {
      var row = button.closest("li[id]");
      var fresh = row && (into.id === row.id ? into : into.querySelector("#" + CSS.escape(row.id)));
      var replaced = fresh && fresh.querySelector("button[form]");
      if (replaced) {
        replaced.replaceWith(button.cloneNode(true));
      }
    });
  }
  // A row the facilitator hides goes; restored, it comes back in a frame rendered for
  // everyone, its button unpressed: the page remembers this reader's pressed buttons of the
  // rows that went, and gives them back (the server's answer to the next press is the truth).
  var pressedOfGone = {};
  function rememberPressed(row) {
    var button = row.querySelector("button[form][aria-pressed='true']");
    if (button) {
      pressedOfGone[row.id] = button.cloneNode(true);
    }
  }
  function givePressedBack(rows) {
    rows.forEach(function (row) {
      var button = pressedOfGone[row.id];
      var fresh = button && row.querySelector("button[form]");
      if (fresh) {
        fresh.replaceWith(button);
        delete pressedOfGone[row.id];
      }
    });
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var fresh = event.detail.fragment;
    if (!target || !fresh || !fresh.querySelector) {
      return;
    }
    // outerHTML swaps hand a fragment holding the new element; the others the element.
    var incoming = fresh.nodeType === 11 ? fresh.firstElementChild : fresh;
    if (!incoming) {
      return;
    }
    if (target.id === "live-votes") {
      applyCounts(incoming.getAttribute && incoming.getAttribute("value"));
      event.detail.shouldSwap = false; // nothing to show: the counts are in place
    } else if (target.matches && target.matches("#ideas > li") && !incoming.firstElementChild) {
      rememberPressed(target); // the row goes (hidden, merged)
    } else if (target.id === "ideas" || (target.matches && target.matches("#ideas > li"))) {
      keepButtons(target, incoming);
      givePressedBack(incoming.id ? [incoming] : Array.prototype.slice.call(incoming.children));
    } else if (target.id === "session-poll") {
      var same = incoming.getAttribute && incoming.getAttribute("data-poll");
      if (same && same === target.getAttribute("data-poll")) {
        event.detail.shouldSwap = false;
      }
    }
  });

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

  // The word beside each count, in the page's language (the list's data-votes-label; a
  // custom property set from script, since the policy allows no inline style).
  function labelCounts() {
    document.querySelectorAll("#ideas[data-votes-label]").forEach(function (list) {
      list.style.setProperty("--votes-label", JSON.stringify(list.getAttribute("data-votes-label")));
    });
  }
  document.addEventListener("htmx:load", labelCounts); // the page, and what htmx puts in it
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelCounts);
  } else {
    labelCounts();
  }

  document.addEventListener("wethi:live", function () {
    document.querySelectorAll(".session-live").forEach(follow);
    refreshConsole();
  });
})();
