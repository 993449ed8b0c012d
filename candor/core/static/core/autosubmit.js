// A <select data-autosubmit> sends its form when changed (the language selector, list filters).
// A static file instead of inline onchange handlers, so the Content-Security-Policy can forbid
// inline script everywhere.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
