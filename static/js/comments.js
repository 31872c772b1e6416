/* Comments: progressive enhancement only. Without this file, "Reply" links load the page
   with ?replyto=<id> and the server places the form under the comment. With it, the form
   moves under the comment in place, and "Cancel reply" moves it back. */
(function () {
  "use strict";

  var wrap = document.getElementById("respond");
  if (!wrap || !document.querySelector) { return; }

  /* After a form error (GOV.UK's error summary): focus the summary, so it is read out and
     in view; its links focus their field with the field's label in view. */
  var summary = document.getElementById("comment-errors");
  if (summary) {
    summary.focus();
    /* The browser's scroll to #respond, after the page has loaded, may take the focus
       back to the page itself: give it to the summary again, unless the reader has moved. */
    window.addEventListener("load", function () {
      if (!document.activeElement || document.activeElement === document.body) {
        summary.focus();
      }
    });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
      if (!field) { return; }
      event.preventDefault();
      var label = wrap.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
  var form = wrap.querySelector("form.comment-form");
  var parentInput = wrap.querySelector("input.comment-parent-input");
  var heading = document.getElementById("comment-form-heading");
  if (!form || !parentInput || !heading) { return; }

  var home = document.createComment("comment-form home");
  var originalHeading = heading.textContent;
  var cancel = null;

  function isAtHome() {
    return !parentInput.value;
  }

  if (isAtHome()) {
    wrap.parentNode.insertBefore(home, wrap);
  } else {
    /* The server put the form under a comment (?replyto=): its home is the section's end. */
    var section = wrap.closest("section.comments");
    if (section) { section.appendChild(home); }
  }

  function ensureCancel() {
    if (cancel) { return cancel; }
    cancel = wrap.querySelector(".comment-cancel-reply");
    if (!cancel) {
      var p = document.createElement("p");
      p.className = "comment-cancel";
      cancel = document.createElement("a");
      cancel.className = "comment-cancel-reply";
      cancel.href = "#respond";
      cancel.textContent = "Cancel reply";
      p.appendChild(cancel);
      heading.parentNode.insertBefore(p, heading.nextSibling);
    }
    cancel.addEventListener("click", function (event) {
      event.preventDefault();
      moveHome();
    });
    return cancel;
  }

  function moveHome() {
    parentInput.value = "";
    heading.textContent = originalHeading.indexOf("Reply") === 0 ? "Leave a comment" : originalHeading;
    if (home.parentNode) { home.parentNode.insertBefore(wrap, home.nextSibling); }
    if (cancel && cancel.parentNode) { cancel.parentNode.hidden = true; }
    focusField();
  }

  function focusField() {
    var field = form.querySelector("textarea[name=body]");
    if (field) { field.focus(); }
  }

  /* A reply link is the a[href*="replyto="] in a comment's byline (its first <p>); the
     comment is the <li id="comment-<id>"> around it, and its name the byline's first
     node: plain text, the link to the commenter's website, or a <bdi> around either. */
  function authorName(item) {
    var byline = item.querySelector("p");
    var first = byline ? byline.firstChild : null;
    return first ? first.textContent.trim() : "";
  }

  function replyTo(link) {
    var item = link.closest("li[id^='comment-']");
    var id = item ? item.id.slice("comment-".length) : "";
    if (!id || !/^[0-9]+$/.test(id)) { return false; }
    var author = authorName(item);
    /* The replies' <ol> is the item's last child: the body (lists included) comes before
       the competing interests line. */
    var replies = item.lastElementChild && item.lastElementChild.tagName === "OL"
      ? item.lastElementChild : null;
    parentInput.value = id;
    heading.textContent = "Reply to " + (author || "this comment");
    item.insertBefore(wrap, replies);
    ensureCancel().parentNode.hidden = false;
    focusField();
    return true;
  }

  if (!isAtHome()) { ensureCancel(); }

  document.addEventListener("click", function (event) {
    var link = event.target.closest
      ? event.target.closest("section.comments li > p:first-child > a[href*='replyto=']")
      : null;
    if (link && replyTo(link)) {
      event.preventDefault();
    }
  });
})();
