// The web UI's only script (no inline scripts: the Content-Security-Policy forbids them).
// htmx requests carry the page's CSRF token; behaviours are wired on htmx:load so swapped fragments get them too.
"use strict";

document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});

function wire(root) {
  // Filter forms submit on change when they ask for it (keyboard users still have the button).
  root.querySelectorAll("[data-sf-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.requestSubmit(); }
    });
  });
  // Print buttons (the slip page).
  root.querySelectorAll("[data-sf-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
}

// A form sent back with errors: the keyboard's focus goes to the first field to correct (the summary
// above the form is announced as an alert), so nobody has to look for it.
function focusFirstError() {
  if (!document.getElementById("form-errors")) { return; }
  var field = document.querySelector('[aria-invalid="true"]');
  if (field) { field.focus(); }
}

document.addEventListener("DOMContentLoaded", function () { wire(document); focusFirstError(); });
document.addEventListener("htmx:load", function (event) { wire(event.target); });
