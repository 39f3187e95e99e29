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

  // A button that submits a form from outside it (`form="vote"`: one vote form serves every
  // idea of a live session's list) sends its name and value, as the browser does without
  // htmx (htmx only notes the buttons clicked inside a form).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var submit = event.detail.triggeringEvent;
    var button = submit && submit.submitter;
    if (button && button.name && form instanceof HTMLFormElement && !form.contains(button)) {
      event.detail.parameters[button.name] = button.value;
    }
  });

  // (g) live updates (templates/components/live.html, forum/live.py). Each message ends
  // with a marker holding the newest sequence number the page has; when htmx's ws
  // extension reconnects, the socket asks for what came after it, so a phone that lost
  // its connection misses nothing. The status line says when the page is not live.
  var RECONNECTS = [1006, 1011, 1012, 1013]; // the close codes the extension retries
  function liveMarker(channel) {
    return document.getElementById("live-seq-" + channel.replace(":", "-"));
  }
  function resumeUrl(url) {
    var parsed = new URL(url, window.location.href);
    var marker = liveMarker(parsed.searchParams.get("channel") || "");
    var seq = marker && marker.getAttribute("data-seq");
    if (seq) {
      parsed.searchParams.set("after", seq);
    }
    return parsed.href;
  }
  if (window.htmx) {
    // One stream of frames serves several kinds of page (a live session's phones, its
    // projector, its console): on a channel followed with data-live-optional, a part whose
    // target this page does not have is dropped before htmx looks for it (htmx would log an
    // error for each, and the page would say it missed updates).
    var POSITION = /^<!--(\d+)( gap)?-->/;
    window.htmx.defineExtension("wethi-live", {
      transformResponse: function (text, _xhr, elt) {
        // Each message starts with the number the page has once it is applied: kept in
        // the page's marker, where a reconnection or the next poll resumes from.
        var position = POSITION.exec(text);
        var live = elt && elt.closest && elt.closest("[data-live-channel]");
        if (position && live) {
          var marker = liveMarker(live.getAttribute("data-live-channel") || "");
          if (marker) {
            marker.setAttribute("data-seq", position[1]);
            marker.toggleAttribute("data-gap", Boolean(position[2]));
          }
          text = text.slice(position[0].length);
        }
        if (!live || !live.hasAttribute("data-live-optional")) {
          return text;
        }
        var template = document.createElement("template");
        template.innerHTML = text;
        Array.prototype.slice.call(template.content.children).forEach(function (part) {
          var swap = part.getAttribute("hx-swap-oob") || "true";
          var colon = swap.indexOf(":");
          var selector = colon > 0 ? swap.slice(colon + 1) : "#" + CSS.escape(part.id);
          if (!document.querySelector(selector)) {
            part.remove();
          }
        });
        return template.innerHTML;
      },
    });
    // The extension builds its URL once; every (re)connection goes through this.
    window.htmx.createWebSocket = function (url) {
      var socket = new WebSocket(resumeUrl(url), []);
      if (window.htmx.config.wsBinaryType) {
        socket.binaryType = window.htmx.config.wsBinaryType;
      }
      return socket;
    };
  }
  function liveState(live, state) {
    var line = live && live.querySelector(".live-status");
    if (line) {
      line.setAttribute("data-live-state", state);
      line.textContent = state ? line.getAttribute("data-live-" + state) || "" : "";
    }
  }
  var liveTimers = new WeakMap();
  var liveApplying = null; // the live element whose message is being swapped in
  document.addEventListener("htmx:wsOpen", function (event) {
    window.clearTimeout(liveTimers.get(event.target));
    var line = event.target.querySelector(".live-status");
    if (line && line.getAttribute("data-live-state") === "reconnecting") {
      liveState(event.target, "");
    }
  });
  document.addEventListener("htmx:wsClose", function (event) {
    var live = event.target;
    var code = event.detail && event.detail.event && event.detail.event.code;
    if (!document.body.contains(live) || code === 1000 || code === 1001) {
      return; // the page is going away, or the element was replaced
    }
    if (RECONNECTS.indexOf(code) < 0) {
      liveState(live, "stopped"); // refused (1008): reloading is the way back
      return;
    }
    // Said only if the reconnection takes a moment: no flicker on a quick one.
    window.clearTimeout(liveTimers.get(live));
    liveTimers.set(live, window.setTimeout(function () {
      if (!polling.has(live)) {
        liveState(live, "reconnecting"); // while polling, the page is live all the same
      }
    }, 1500));
  });
  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    liveApplying = event.target;
  });
  document.addEventListener("htmx:oobErrorNoTarget", function (event) {
    if (liveApplying && liveApplying.hasAttribute("data-live-optional")) {
      return; // a part for another kind of page (a session's frames serve them all)
    }
    if (liveApplying) {
      liveState(liveApplying, "missed"); // e.g. a new line the page does not have yet
    }
  });
  function liveApplied(live) {
    liveApplying = null;
    var channel = live.getAttribute("data-live-channel") || "";
    var marker = liveMarker(channel);
    if (marker && marker.hasAttribute("data-gap")) {
      liveState(live, "missed"); // older updates are no longer kept on the server
    }
    live.dispatchEvent(new CustomEvent("wethi:live", { bubbles: true }));
  }
  document.addEventListener("htmx:wsAfterMessage", function (event) {
    liveApplied(event.target);
  });

  // When the socket cannot connect (a proxy or a network that blocks WebSockets), the page
  // asks for the same messages over plain HTTP every few seconds (/live/poll), until the
  // socket opens. The marker keeps the number either way, so neither path repeats or skips.
  var POLL_AFTER = 4000; // ms without an open socket before polling starts
  var POLL_EVERY = 4000;
  var polling = new WeakMap();
  var socketOpen = new WeakSet();
  function pollOnce(live) {
    var channel = live.getAttribute("data-live-channel") || "";
    var marker = liveMarker(channel);
    var seq = (marker && marker.getAttribute("data-seq")) || "";
    var ticket = live.getAttribute("data-live-ticket");
    var url = "/live/poll?channel=" + encodeURIComponent(channel) +
      (ticket ? "&ticket=" + encodeURIComponent(ticket) : "") + (seq ? "&after=" + seq : "");
    liveApplying = live;
    window.htmx.ajax("GET", url, { source: live, target: live, swap: "none" }).then(function () {
      liveApplied(live);
    }, function () {
      liveApplying = null;
    });
  }
  function startPolling(live) {
    if (polling.has(live) || socketOpen.has(live) || !document.body.contains(live)) {
      return;
    }
    pollOnce(live);
    liveState(live, "");
    polling.set(live, window.setInterval(function () {
      if (socketOpen.has(live) || !document.body.contains(live)) {
        stopPolling(live);
        return;
      }
      pollOnce(live);
    }, POLL_EVERY));
  }
  function stopPolling(live) {
    window.clearInterval(polling.get(live));
    polling.delete(live);
  }
  function pollUnlessOpen(live) {
    window.setTimeout(function () {
      if (!socketOpen.has(live)) {
        startPolling(live);
      }
    }, POLL_AFTER);
  }
  document.addEventListener("htmx:wsOpen", function (event) {
    socketOpen.add(event.target);
    stopPolling(event.target);
  });
  document.addEventListener("htmx:wsClose", function (event) {
    var live = event.target;
    socketOpen.delete(live);
    var code = event.detail && event.detail.event && event.detail.event.code;
    if (document.body.contains(live) && RECONNECTS.indexOf(code) >= 0) {
      pollUnlessOpen(live);
    }
  });
  if (window.htmx) {
    window.htmx.onLoad(function (content) {
      var found = content.matches && content.matches("[data-live-channel]") ? [content] : [];
      content.querySelectorAll && content.querySelectorAll("[data-live-channel]").forEach(function (live) {
        found.push(live);
      });
      found.forEach(pollUnlessOpen);
    });
  }

  // A live refresh (an element marked data-live-refresh has the page fetch a part of itself
  // again after someone else's change) must not throw away what this person was typing
  // there: fields (by id) whose value differs from the one the server sent are carried
  // into the new content, the <details> around them opened, the focus and caret kept.
  var drafts = null;
  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.type !== "hidden" && field.value !== field.defaultValue;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var source = config && config.elt;
    drafts = null;
    if (!source || !source.hasAttribute || !source.hasAttribute("data-live-refresh") ||
        !event.detail.shouldSwap || !event.detail.target) {
      return;
    }
    var active = document.activeElement;
    drafts = { fields: [], focus: null };
    event.detail.target.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
      if (changed(field)) {
        drafts.fields.push({ id: field.id, value: field.value, checked: field.checked });
      }
    });
    if (active && active.id && event.detail.target.contains(active)) {
      drafts.focus = { id: active.id, start: active.selectionStart, end: active.selectionEnd };
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var kept = drafts;
    drafts = null;
    if (!kept) {
      return;
    }
    kept.fields.forEach(function (draft) {
      var field = document.getElementById(draft.id);
      if (!field) {
        return; // that form is gone (e.g. the post was hidden)
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = draft.checked;
      } else {
        field.value = draft.value;
      }
      var details = field.closest("details");
      if (details) {
        details.open = true;
      }
    });
    var focused = kept.focus && document.getElementById(kept.focus.id);
    if (focused) {
      focused.focus();
      if (typeof kept.focus.start === "number" && focused.setSelectionRange) {
        try {
          focused.setSelectionRange(kept.focus.start, kept.focus.end);
        } catch (ignored) {
          // fields without a caret (number, radio)
        }
      }
    }
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

/* === Agenda: drag and drop to reorder (templates/deliberation/agenda_page.html) ==========
   Progressive enhancement for chair and secretary: items marked data-agenda-item can be
   dragged into any part (data-agenda-part). A drop sends the same POST as the item's up /
   down buttons (its own move form, with part_id and position filled in), so the server
   decides, checks the agenda's version, and answers the same block. Without JavaScript, or
   with a keyboard, the buttons do it. */
(function () {
  "use strict";

  var dragged = null;

  function partOf(event) {
    return event.target.closest ? event.target.closest("[data-agenda-part]") : null;
  }

  function clearTargets() {
    document.querySelectorAll(".agenda-drop-target").forEach(function (list) {
      list.classList.remove("agenda-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest("[data-agenda-item]") : null;
    if (!item || !item.querySelector("form[data-agenda-move]")) {
      return;
    }
    dragged = item;
    item.classList.add("agenda-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-agenda-item"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("agenda-dragging");
    }
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    var list = partOf(event);
    if (!dragged || !list) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!list.classList.contains("agenda-drop-target")) {
      clearTargets();
      list.classList.add("agenda-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var list = partOf(event);
    if (!dragged || !list) {
      return;
    }
    event.preventDefault();
    clearTargets();
    // The position among the part's other items: before the item dropped on, or after it
    // when dropped on its lower half; at the end when dropped beside the items.
    var others = Array.prototype.filter.call(list.children, function (element) {
      return element.hasAttribute("data-agenda-item") && element !== dragged;
    });
    var over = event.target.closest("[data-agenda-item]");
    var position = others.length + 1;
    if (over && over !== dragged && others.indexOf(over) >= 0) {
      var box = over.getBoundingClientRect();
      position = others.indexOf(over) + 1 + (event.clientY > box.top + box.height / 2 ? 1 : 0);
    }
    var form = dragged.querySelector("form[data-agenda-move]");
    form.elements.part_id.value = list.getAttribute("data-agenda-part");
    form.elements.position.value = String(position);
    if (form.requestSubmit) {
      form.requestSubmit(); // htmx sends it, or the browser does
    } else {
      form.submit();
    }
  });
})();
