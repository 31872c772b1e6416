"""WordPress shortcodes in an export's bodies: ``[caption]`` kept as an image with its
caption, the others (``[gallery]``, ``[audio]``, ``[embed]``...) removed and named.

WordPress expands shortcodes when it shows a post; the export holds them as typed. Trialpress
has no galleries or players, so those go (their enclosed text, such as an ``[embed]``'s
address, stays) and the pipeline names each post that had one. Only names WordPress and
WordPress.com register, or a bracket with ``name="value"`` attributes, count as shortcodes:
``[sic]`` or ``[1]`` in a text stay. One pass, linear in the body.
"""

from __future__ import annotations

CAPTIONS = frozenset({"caption", "wp_caption"})
KNOWN = frozenset(
    {
        *("gallery", "audio", "video", "playlist", "embed", "youtube", "vimeo", "soundcloud"),
        *("slideshow", "googlemaps", "tweet", "contact-form", "polldaddy", "archives"),
        *("wpvideo", "dailymotion", "ted", "instagram", "scribd", "office"),
    }
)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _attribute(attrs, name):
    """The value of ``name="..."`` in a shortcode's attributes ("" when absent)."""
    lowered = attrs.lower()
    start = lowered.find(f"{name}=")
    if start < 0:
        return ""
    value = attrs[start + len(name) + 1 :]
    if value[:1] in ("'", '"'):
        end = value.find(value[0], 1)
        return value[1:end] if end > 0 else value[1:]
    return value.split(" ", 1)[0]


def _split_caption(content):
    """``<a><img></a> Caption text`` -> (the image markup, the caption text)."""
    body = content.strip()
    lowered = body.lower()
    if lowered.startswith("<a"):
        end = lowered.find("</a>")
        cut = end + 4 if end >= 0 else 0
    elif lowered.startswith("<img"):
        cut = lowered.find(">") + 1
    else:
        cut = 0
    return body[:cut], body[cut:].strip()


def expand_shortcodes(html: str) -> tuple[str, list[str]]:
    """``html`` with captions as ``<figure>`` and other shortcodes removed, and the names of
    those removed (in order, once each)."""
    out, removed, opened, unclosed = [], [], set(), set()
    lowered = html.lower()
    i = 0
    next_close = -1  # the first "]" at or after the current bracket (kept: linear)
    while True:
        start = html.find("[", i)
        if start < 0:
            out.append(html[i:])
            break
        if next_close < start:
            next_close = html.find("]", start)
            if next_close < 0:
                out.append(html[i:])
                break
        inner = html[start + 1 : next_close]
        closing = inner.startswith("/")
        name = inner[1:] if closing else inner
        name, _space, attrs = name.replace("\t", " ").replace("\n", " ").partition(" ")
        name = name.rstrip("/").lower()
        if not name or not set(name) <= _NAME_CHARS or "[" in inner:
            out.append(html[i : start + 1])
            i = start + 1
            continue
        if closing:
            is_shortcode = name in CAPTIONS or name in KNOWN or name in opened
        else:
            is_shortcode = name in CAPTIONS or name in KNOWN or "=" in attrs
        if not is_shortcode:
            out.append(html[i : start + 1])
            i = start + 1
            continue
        out.append(html[i:start])
        i = next_close + 1
        if closing:
            continue
        if name in CAPTIONS:
            end_tag = f"[/{name}]"
            end = -1 if name in unclosed else lowered.find(end_tag, i)
            if end < 0:
                unclosed.add(name)  # never searched for again: linear
            content = html[i:end] if end >= 0 else ""
            if end >= 0:
                i = end + len(end_tag)
            markup, text = _split_caption(content)
            text = text or _attribute(attrs, "caption")
            out.append(f"<figure>{markup}<figcaption>{text}</figcaption></figure>")
            continue
        opened.add(name)
        if name not in removed:
            removed.append(name)
    return "".join(out), removed
