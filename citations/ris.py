"""RIS: one ``TAG  - value`` per line, ``ER  - `` last, as EndNote, Zotero and Mendeley read it.

A value can never start a line of its own: line breaks of every kind (CR, LF, VT, FF,
NEL, U+2028/9) and other control characters become spaces, so a title holding
"\\nER  - " cannot end the record or add a tag.
"""

import re

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def clean(value):
    return " ".join(_BREAKS.sub(" ", str(value)).split())


def _name(name):
    if name.literal:
        return name.literal
    return f"{name.family}, {name.given}" if name.given else name.family


def record(work):
    tags = [("TY", "JOUR" if work.kind == "article" else "BLOG")]
    tags += [("AU", _name(name)) for name in work.authors]
    tags.append(("TI", work.title))
    if work.container:
        tags.append(("JO" if work.kind == "article" else "T2", work.container))
    if work.issued:
        tags.append(("PY", str(work.issued.year)))
        tags.append(("DA", work.issued.strftime("%Y/%m/%d")))
    if work.doi:
        tags.append(("DO", work.doi))
    if work.url:
        tags.append(("UR", work.url))
    if work.accessed:
        tags.append(("Y2", work.accessed.strftime("%Y/%m/%d")))
    lines = [f"{tag}  - {clean(value)}" for tag, value in tags if clean(value)]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"
