"""Template loaders that drop the indentation and blank lines of the project's own HTML
templates when they are read, so no page sends them.

A template's layout (indented tags, a blank line left by each ``{% if %}`` line) cost every
page about 800 bytes, 6% of a post without comments. It is removed from the source once, when
the (cached) loader reads the file, not from each rendered page: a render costs nothing more.

The rule keeps what a browser sees: a run of white space that holds a line break becomes a
single line break. White space between words or inline tags stays white space (``By <span>
...</span>`` then a line break and ``on <time>`` still reads "By ... on ..."), and none
appears where there was none. Left alone: Django's and other packages' templates (the admin,
the form widgets), and anything not ``.html`` (mail bodies in ``.txt``, XML). The project's
templates keep ``<pre>`` and ``<textarea>`` contents on one line, where a line break would
count (``tests/test_template_compaction.py`` checks both).
"""

from pathlib import Path

from django.conf import settings
from django.template.loaders import app_directories, filesystem

# HTML's white space (the spec's "ASCII whitespace"), line feeds aside: not str.strip()'s,
# which also takes a no-break space a template may hold on purpose.
_SPACE = " \t\r\f"


def compact_layout(source):
    """``source`` with each run of white space that holds a line break made one ``\\n``."""
    lines = source.split("\n")
    if len(lines) == 1:
        return source
    first, *middle, last = lines
    kept = [line for line in (line.strip(_SPACE) for line in middle) if line]
    return "\n".join([first.rstrip(_SPACE), *kept, last.lstrip(_SPACE)])


def is_project_html(path):
    """True for an ``.html`` file of this project's own (``templates/``, an app's
    ``templates/``), not one of an installed package."""
    path = Path(path)
    if path.suffix != ".html" or "site-packages" in path.parts:
        return False
    return path.is_relative_to(settings.BASE_DIR)


class CompactLayoutMixin:
    def get_contents(self, origin):
        contents = super().get_contents(origin)
        return compact_layout(contents) if is_project_html(origin.name) else contents


class FilesystemLoader(CompactLayoutMixin, filesystem.Loader):
    """``DIRS``: the project's ``templates/``."""


class AppDirectoriesLoader(CompactLayoutMixin, app_directories.Loader):
    """Each app's ``templates/``: compacted for the project's apps only."""
