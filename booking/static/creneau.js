/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Move focus to the error summary so screen readers and keyboards start there.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
      // A link of the summary focuses its field (and shows the field's label too).
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        var label = document.querySelector("label[for='" + target.id + "']");
        (label || target).scrollIntoView();
        target.focus({ preventScroll: true });
      });
    }
    // Print buttons (hidden without JavaScript: the browser's own Print menu works too).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // Copy buttons: copy the text of the field named in data-copy.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-copy") + "-status");
      if (!field || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value || field.textContent).then(function () {
          if (status) { status.textContent = "Copié dans le presse-papiers."; }
        }, function () {
          field.select();
          if (status) { status.textContent = "Sélectionné : copiez avec Ctrl+C."; }
        });
      });
    });
  });
})();
