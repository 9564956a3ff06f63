/* Site-wide behaviour, loaded on every page: after a form comes back with errors, focus moves to
   the first field in error (its label and message are read out through aria-describedby), or to
   the error summary when the error belongs to the whole form. */
(function () {
  "use strict";
  var field = document.querySelector("main [aria-invalid='true']");
  if (field) { field.focus(); return; }
  var summary = document.querySelector("main .form-errors:not([hidden])");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
