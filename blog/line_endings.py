"""One spelling of a line break: ``\n``.

Browsers submit a textarea's line breaks as ``\r\n`` (the HTML standard says so), while
the demo loader, imports and the services store ``\n``. Text is normalised where it enters
(the admin's forms, the services), and compared and diffed normalised, so the same words
with other line endings are never a change readers must be told about.
"""


def normalise_line_endings(value):
    """``value`` with every ``\r\n`` and lone ``\r`` as ``\n``; strings inside lists and
    dicts too (a snapshot's disclosures); anything else unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if isinstance(value, list):
        return [normalise_line_endings(item) for item in value]
    if isinstance(value, dict):
        return {key: normalise_line_endings(item) for key, item in value.items()}
    return value


def comparable(value):
    """``value`` as a change is judged: line endings normalised and, as Django's form
    fields strip what is typed, without white space at either end of a text."""
    if isinstance(value, str):
        return normalise_line_endings(value).strip()
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    return value
