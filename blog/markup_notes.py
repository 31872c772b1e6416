"""Footnotes and table alignment for posts, as the sanitiser allows them.

Python-Markdown's footnotes extension names its ids after the author's labels
(``[^my note]`` -> ``id="fn:my note"``: a space, and any character, in an id); its tables
extension aligns columns with ``style="text-align: right;"``. After both have run, these
tree processors rename the footnote ids to numbers in order (``fn-1``, ``fnref-1``, a
second reference ``fnref-1-2``) and turn the alignment into a class (``align-right``), so
``blog.markup.sanitize_html`` keeps neither an author-chosen id nor a style attribute.
"""

import re

from markdown.treeprocessors import Treeprocessor

_REFERENCE_ID = re.compile(r"fnref(?P<nth>[0-9]*):(?P<label>.*)", re.DOTALL)
_NOTE_ID = re.compile(r"fn:(?P<label>.*)", re.DOTALL)
_ALIGNMENT = {
    "text-align: left;": "align-left",
    "text-align: center;": "align-center",
    "text-align: right;": "align-right",
}


def _reference_number(old, numbers):
    """``fnref2:label`` -> (the note's number, 2); None for an id we did not make."""
    match = _REFERENCE_ID.fullmatch(old or "")
    if match is None or match["label"] not in numbers:
        return None
    return numbers[match["label"]], int(match["nth"] or 1)


def _reference_id(number, nth):
    return f"fnref-{number}" if nth == 1 else f"fnref-{number}-{nth}"


class FootnoteIds(Treeprocessor):
    """Numbered footnote ids, the links between notes and references kept working."""

    def run(self, root):
        block = next(
            (child for child in root if child.tag == "div" and child.get("class") == "footnote"),
            None,
        )
        if block is None:
            return
        numbers = {}
        notes = block.find("ol")
        for number, item in enumerate(notes if notes is not None else (), start=1):
            match = _NOTE_ID.fullmatch(item.get("id") or "")
            if match:
                numbers[match["label"]] = number
            item.set("id", f"fn-{number}")
        references = set()
        backlinks = []
        for element in root.iter():
            if element.tag == "sup" and element.get("id", "").startswith("fnref"):
                found = _reference_number(element.get("id"), numbers)
                _set_or_drop(element, "id", found and _reference_id(*found))
                if found:
                    references.add(_reference_id(*found))
                for link in element.iter("a"):
                    _set_or_drop(link, "href", found and f"#fn-{found[0]}")
            elif element.tag == "a" and element.get("class") == "footnote-backref":
                backlinks.append(element)
        parents = {child: parent for parent in block.iter() for child in parent}
        for link in backlinks:
            found = _reference_number((link.get("href") or "").removeprefix("#"), numbers)
            target = found and _reference_id(*found)
            if target in references:
                link.set("href", "#" + target)
            else:  # a note never referred to (or only from code): no link to nowhere
                _remove_keeping_tail(parents[link], link)


def _remove_keeping_tail(parent, child):
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _set_or_drop(element, name, value):
    if value is None:
        element.attrib.pop(name, None)
    else:
        element.set(name, value)


class AlignmentClasses(Treeprocessor):
    """``style="text-align: x;"`` on table cells -> ``class="align-x"``."""

    def run(self, root):
        for element in root.iter():
            if element.tag in ("th", "td") and "style" in element.attrib:
                alignment = _ALIGNMENT.get(element.attrib.pop("style").strip())
                if alignment:
                    element.set("class", alignment)
