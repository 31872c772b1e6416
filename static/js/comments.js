/* An old link to "#comment-<id>" (a bookmark, a feed from before the thread had pages)
   whose comment is on another page of the thread: ask the server where it is now
   (/comments/<id>/place/: {"url": ...} or {"url": null}) and go there only if that is
   another page of this post. A comment readers cannot see (held, withdrawn, unknown) or
   one on another post leaves this page as it is, as it would be without this file (the
   page opens at its top); the links the site gives out go to the right page already. */
(function () {
  "use strict";

  /* A reply link's href: ?reply=<id>#respond, with the page before it on page 2 or later
     (?replyto= in pages stored before the parameter was renamed). Never absolute: a
     commenter's website (always http: or https:) may end the same way. */
  var REPLY_LINK = /[?&](?:reply|replyto)=[0-9]+#respond$/;

  var section = document.querySelector && document.querySelector("section.comments[data-place-url]");
  if (!section || !window.fetch || !window.URL || !window.JSON) { return; }

  function find() {
    var match = /^#comment-([0-9]{1,12})$/.exec(window.location.hash);
    if (!match || document.getElementById("comment-" + match[1])) { return; }
    var hash = window.location.hash;
    var url = section.getAttribute("data-place-url").replace(/\/0\/place\/$/,
      "/" + match[1] + "/place/");
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { url: null }; })
      .then(function (answer) {
        if (!answer || typeof answer.url !== "string" || window.location.hash !== hash) { return; }
        var target = new URL(answer.url, window.location.href);
        var here = window.location;
        if (target.origin !== here.origin || target.pathname !== here.pathname ||
            target.search === here.search) { return; }
        here.replace(target.pathname + target.search + hash);
      })
      .catch(function () { /* offline: stay on this page */ });
  }
  find();
  window.addEventListener("hashchange", find);

  /* Names of their own for each comment's date and reply links, which the HTML leaves out
     to stay small (comments/rendering.py): "2 Dec 2026, Jane Marsh\u2019s comment", "Reply to
     Jane Marsh". The name is the byline's first node (text, the website link, or <bdi>). */
  var bylines = section.querySelectorAll("li[id^='comment-'] > p:first-child");
  for (var i = 0; i < bylines.length; i++) {
    var first = bylines[i].firstChild;
    var name = first ? first.textContent.trim() : "";
    if (!name) { continue; }
    for (var link = bylines[i].firstElementChild; link; link = link.nextElementSibling) {
      if (link === first || link.tagName !== "A") { continue; }
      var href = link.getAttribute("href") || "";
      if (/\/comments\/[0-9]+\/$/.test(href)) {
        link.setAttribute("aria-label", link.textContent + ", " + name + "\u2019s comment");
      } else if (REPLY_LINK.test(href) && href.indexOf("http") !== 0) {
        link.setAttribute("aria-label", "Reply to " + name);
      }
    }
  }
})();

/* Comments: progressive enhancement only. Without this file, "Reply" links load the page
   with ?reply=<id> and the server places the form under the comment. With it, the form
   moves under the comment in place, and "Cancel reply" moves it back. */
(function () {
  "use strict";

  var REPLY_LINK = /[?&](?:reply|replyto)=[0-9]+#respond$/;  /* as above */
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
    /* The server put the form under a comment (?reply=): its home is the section's end. */
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

  /* The address of a page the server opened with the form under a comment (?reply=) loses
     that parameter, so a reload does not put the form back under it. */
  function forgetReplyParameter() {
    if (!window.history || !window.history.replaceState || !window.URL) { return; }
    var url = new URL(window.location.href);
    if (!url.searchParams.has("reply") && !url.searchParams.has("replyto")) { return; }
    url.searchParams.delete("reply");
    url.searchParams.delete("replyto");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  /* The address says where the form is, as it does without this file: a reply puts the
     reply link's ?reply=<id>#respond in it (no page load), so a reload opens the same
     reply, with what was typed, instead of a comment at the end that the commenter takes
     for their reply. */
  function rememberReply(link) {
    if (!window.history || !window.history.replaceState || !window.URL) { return; }
    var url = new URL(link.getAttribute("href"), window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== window.location.pathname) {
      return;
    }
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  function moveHome() {
    forgetReplyParameter();
    parentInput.value = "";
    heading.textContent = originalHeading.indexOf("Reply") === 0 ? "Leave a comment" : originalHeading;
    if (home.parentNode) { home.parentNode.insertBefore(wrap, home.nextSibling); }
    if (cancel && cancel.parentNode) { cancel.parentNode.hidden = true; }
    focusField();
  }

  /* The heading ("Reply to …") comes into view first, then focus goes to the first field
     still empty (a newcomer's Name, else the comment), without scrolling the heading away:
     a commenter sees who they answer and every field they must fill. */
  function focusField() {
    var fields = form.querySelectorAll("input[name=name], input[name=email], textarea[name=body]");
    var field = null;
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== "hidden" && !fields[i].value) { field = fields[i]; break; }
    }
    field = field || form.querySelector("textarea[name=body]");
    heading.scrollIntoView({ block: "start" });
    if (field) { field.focus({ preventScroll: true }); }
  }

  /* A reply link is the a[href*="reply="] in a comment's byline (its first <p>), ending in
     #respond (?replyto= in pages stored before it was renamed); the
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
    rememberReply(link);
    ensureCancel().parentNode.hidden = false;
    focusField();
    return true;
  }

  if (!isAtHome()) { ensureCancel(); }

  document.addEventListener("click", function (event) {
    var link = event.target.closest
      ? event.target.closest(
        "section.comments li > p:first-child > a[href$='#respond']:not([href^='http'])")
      : null;
    if (link && REPLY_LINK.test(link.getAttribute("href") || "") && replyTo(link)) {
      event.preventDefault();
    }
  });
})();

/* The live word count under a comment's textarea (the comment form and the edit form):
   "123 / 1,000 words", a warning past the limit. It counts the way comments/words.py does
   (runs of letters, digits and marks; ' - . inside a word join it; Chinese, Japanese kana,
   Thai, Lao, Khmer and Myanmar one word per two characters); the server stays the judge.
   Throttled, in a polite live region. Without this file, nothing changes. */
(function () {
  "use strict";

  if (!document.querySelectorAll) { return; }
  var letter, mark;
  try {
    letter = new RegExp("[\\p{L}\\p{N}]", "u");
    mark = new RegExp("\\p{M}", "u");
  } catch (error) { return; }  /* no Unicode classes: no count rather than a wrong one */

  var SPACELESS = [[0x0E00, 0x0EFF], [0x1000, 0x109F], [0x1780, 0x17FF], [0x3040, 0x30FF],
    [0x31F0, 0x31FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xF900, 0xFAFF],
    [0x20000, 0x3FFFF]];
  var JOINERS = "'\u2019-\u2010\u2011.";

  function spaceless(code) {
    if (code < 0x0E00) { return false; }
    for (var i = 0; i < SPACELESS.length; i++) {
      if (code >= SPACELESS[i][0] && code <= SPACELESS[i][1]) { return true; }
    }
    return false;
  }

  function countWords(text) {
    var words = 0, run = 0, inWord = false;
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      var ch = String.fromCodePoint(code);
      if (code > 0xFFFF) { i++; }
      if (spaceless(code)) { run++; inWord = false; continue; }
      if (run) { words += Math.floor((run + 1) / 2); run = 0; }
      var isMark = mark.test(ch);
      if (letter.test(ch) || (inWord && isMark)) {
        if (!inWord) { words++; inWord = true; }
      } else if (JOINERS.indexOf(ch) !== -1 && inWord) {
        continue;
      } else if (!isMark) {
        inWord = false;
      }
    }
    return words + Math.floor((run + 1) / 2);
  }
  window.trialpressCountWords = countWords;  /* for the browser tests */

  function number(n) {
    return n.toLocaleString ? n.toLocaleString("en-GB") : String(n);
  }

  function attach(area) {
    var limit = parseInt(area.getAttribute("data-max-words"), 10);
    if (!(limit > 0)) { return; }
    var out = document.createElement("p");
    out.className = "comment-word-count";
    out.id = area.id + "-word-count";
    out.setAttribute("aria-live", "polite");
    area.parentNode.insertBefore(out, area.nextSibling);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
    var timer = null;

    function update() {
      timer = null;
      var count = countWords(area.value);
      var over = count - limit;
      out.textContent = number(count) + " / " + number(limit) + " words" +
        (over > 0 ? ": " + number(over) + " over the limit, please shorten it" : "");
      out.classList.toggle("comment-word-count-over", over > 0);
    }
    area.addEventListener("input", function () {
      if (timer === null) { timer = window.setTimeout(update, 300); }
    });
    update();
  }

  var areas = document.querySelectorAll("textarea[data-max-words]");
  for (var i = 0; i < areas.length; i++) { attach(areas[i]); }
})();

/* "Save my name, email and website in this browser for my next comment", as WordPress
   asks: off until ticked; kept in this browser's localStorage only (never sent anywhere,
   never in a cookie, so every reader still gets the same cached page); sending with it
   unticked forgets them. Only empty fields are filled, so what the server sent back after
   a form error stays. Without this file (or without storage) there is no checkbox. */
(function () {
  "use strict";

  var KEY = "trialpress-commenter";
  var FIELDS = ["name", "email", "website"];
  var form = document.querySelector && document.querySelector("#respond form.comment-form");
  var submit = form ? form.querySelector(".comment-submit") : null;
  if (!submit || !window.JSON) { return; }
  var storage = null;
  try {
    storage = window.localStorage;
    storage.getItem(KEY);
  } catch (error) { return; }  /* storage switched off: no promise we cannot keep */
  if (!storage) { return; }

  function field(name) {
    return form.querySelector("input[name='" + name + "']");
  }

  var row = document.createElement("p");
  row.className = "comment-notify-option comment-remember";
  var box = document.createElement("input");
  box.type = "checkbox";
  box.id = "comment-remember";
  var label = document.createElement("label");
  label.htmlFor = box.id;
  label.textContent = "Save my name, email and website in this browser for my next comment";
  row.appendChild(box);
  row.appendChild(document.createTextNode(" "));
  row.appendChild(label);
  submit.parentNode.insertBefore(row, submit);

  var saved = null;
  try { saved = JSON.parse(storage.getItem(KEY) || "null"); } catch (error) { saved = null; }
  var kept = saved && typeof saved === "object" && !Array.isArray(saved) &&
    FIELDS.some(function (name) { return typeof saved[name] === "string"; });
  if (kept) {
    FIELDS.forEach(function (name) {
      var input = field(name);
      var value = saved[name];
      var limit = input && input.maxLength > 0 ? input.maxLength : 254;
      if (input && !input.value && typeof value === "string" && value.length <= limit) {
        input.value = value;
      }
    });
    box.checked = true;
  }

  /* What the server would refuse is not kept (an email without "@" is refused, and the
     commenter would find it filled in next time): the browser's own checks of the fields'
     types, which run even though the form says novalidate. */
  function acceptable() {
    return FIELDS.every(function (name) {
      var input = field(name);
      return !input || !input.validity || input.validity.valid;
    });
  }

  form.addEventListener("submit", function () {
    try {
      if (box.checked && !acceptable()) { return; }
      if (box.checked) {
        var data = {};
        FIELDS.forEach(function (name) {
          var input = field(name);
          data[name] = input ? input.value.trim() : "";
        });
        storage.setItem(KEY, JSON.stringify(data));
      } else {
        storage.removeItem(KEY);
      }
    } catch (error) { /* storage full or refused: the comment is sent all the same */ }
  });
})();
