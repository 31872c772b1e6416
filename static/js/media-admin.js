// The media library's admin: a Copy button beside each Markdown snippet. Without this
// script the snippet is still a read-only field to select and copy by hand.
"use strict";
function addCopyButtons() {
  document.querySelectorAll(".media-markdown").forEach((box) => {
    const field = box.querySelector("input");
    if (!field || !navigator.clipboard || box.querySelector("button")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button media-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + field.getAttribute("aria-label"));
    button.addEventListener("click", (event) => {
      event.preventDefault();
      navigator.clipboard.writeText(field.value).then(
        () => { button.textContent = "Copied"; },
        () => { field.select(); button.textContent = "Press Ctrl+C to copy"; },
      );
    });
    box.appendChild(button);
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", addCopyButtons);
} else {
  addCopyButtons();
}
