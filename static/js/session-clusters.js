/* Wethi (เวที): drag and drop of ideas onto themes in a live session's console
   (templates/deliberation/_session_clusters.html, panel #clusters). Progressive enhancement:
   each idea has its own "move to theme" form (a select and a button) that works with the
   keyboard and without JavaScript; dropping an idea on a theme (an element with
   data-theme-drop, empty for "no theme") chooses that theme in the idea's form and submits
   it, so htmx posts it and replaces the panel. Listeners sit on the document: the panel is
   replaced after every change. */
(function () {
  "use strict";

  var OVER = "theme-drop-over";
  var dragged = null;

  function zone(target) {
    return target && target.closest ? target.closest("[data-theme-drop]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var idea = event.target.closest && event.target.closest("[data-theme-idea]");
    if (!idea) {
      return;
    }
    dragged = idea.getAttribute("data-theme-idea");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "idea:" + dragged);
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll("." + OVER).forEach(function (element) {
      element.classList.remove(OVER);
    });
  });

  document.addEventListener("dragover", function (event) {
    var target = zone(event.target);
    if (!target || dragged === null) {
      return;
    }
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "move";
    target.classList.add(OVER);
  });

  document.addEventListener("dragleave", function (event) {
    var target = zone(event.target);
    if (target && !target.contains(event.relatedTarget)) {
      target.classList.remove(OVER);
    }
  });

  document.addEventListener("drop", function (event) {
    var target = zone(event.target);
    if (!target || dragged === null) {
      return;
    }
    event.preventDefault();
    target.classList.remove(OVER);
    var form = document.getElementById("theme-move-" + dragged);
    var select = document.getElementById("theme-of-" + dragged);
    dragged = null;
    if (!form || !select) {
      return;
    }
    var theme = target.getAttribute("data-theme-drop");
    if (select.value === theme) {
      return; // dropped where it already is
    }
    select.value = theme;
    if (form.requestSubmit) {
      form.requestSubmit(); // htmx handles the submit event and replaces the panel
    } else {
      form.submit();
    }
  });
})();
