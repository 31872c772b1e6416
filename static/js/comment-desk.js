/* The moderator's desk (issue 16): keyboard shortcuts, an improvement on buttons that
   work without it. j/k move focus to the next/previous comment; a/r/s press the focused
   comment's Approve/Reject/Spam button. Never while typing in a field, never with Ctrl,
   Alt or Meta held (the browser's own shortcuts). */
(function () {
  "use strict";
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".desk-row"));
  }
  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }
  function current(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i += 1) {
      if (list[i] === active || list[i].contains(active)) return i;
    }
    return -1;
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = current(list) + step;
    if (index < 0) index = 0;
    if (index >= list.length) index = list.length - 1;
    list[index].focus();
    list[index].scrollIntoView({ block: "nearest" });
  }
  function act(key) {
    var list = rows();
    var index = current(list);
    if (index < 0) return false;
    var button = list[index].querySelector('button[data-desk-key="' + key + '"]');
    if (!button) return false;
    button.click();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (typing(event.target)) return;
    var key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
    } else if ((key === "a" || key === "r" || key === "s") && act(key)) {
      event.preventDefault();
    }
  });
  // Back from an action at the next row: focus it, so j/k and a/r/s carry on from there.
  var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target && target.classList.contains("desk-row")) target.focus();
})();
