/* The comment preview in place: progressive enhancement only. Without this file the
   Preview button sends the form and the server shows the post page again with the preview
   above the form. With it, the form is sent to the preview address (same origin, the
   form's own CSRF token) and the section the server returns (escaped and sanitised there)
   replaces the preview above the form. Any failure falls back to the plain button. */
(function () {
  "use strict";

  if (!window.fetch || !window.FormData || !document.querySelector) { return; }
  var wrap = document.getElementById("respond");
  var button = wrap ? wrap.querySelector("button.comment-preview-button") : null;
  var form = button ? button.form : null;
  if (!form || !button.getAttribute("data-preview-url")) { return; }
  var fallingBack = false;

  function show(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var section = holder.querySelector("section.comment-preview");
    if (!section) { return false; }
    var old = document.getElementById("comment-preview");
    if (old) {
      old.parentNode.replaceChild(section, old);
    } else {
      form.parentNode.insertBefore(section, form);
    }
    section.focus();
    return true;
  }

  function fallBack() {
    fallingBack = true;
    button.click();
  }

  button.addEventListener("click", function (event) {
    if (fallingBack) { return; }
    event.preventDefault();
    button.disabled = true;
    fetch(button.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (response.status !== 200) { throw new Error("status"); }
      return response.text();
    }).then(function (html) {
      button.disabled = false;
      if (!show(html)) { fallBack(); }
    }).catch(function () {
      button.disabled = false;
      fallBack();
    });
  });
})();
