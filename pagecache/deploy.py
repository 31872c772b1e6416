"""The deploy version in every page-cache key: a new deploy never serves an old one's pages.

A page depends on the code that renders it, its templates and static files (hashed names
in the manifest), and the settings (SITE_URL in every canonical link, SITE_NAME, page
sizes...). The version is a digest of all of them, computed once per process at the first
request that needs it (~10 ms for this tree):

- the *contents* (not the mtimes) of every file of the project's own apps, of the template
  and static directories (never installed packages: anything under ``sys.prefix``,
  site-packages, ``.venv``, ``node_modules``, ``var/``, ``staticfiles/``, ``.git``, which
  ``DEPLOY_VERSION`` stands for), so every worker and every server deployed from the same tree
  agrees, and any edit, however deployed (git, rsync, a container), gives a new version;
- every setting, by value (objects by their dotted name, never by ``repr`` with an address);
- ``DEPLOY_VERSION`` from the environment when set (a git commit, a release tag), for what
  the files cannot show, such as upgraded packages;
- and SECRET_KEY, through ``salted_hmac``: placeholders are derived from it, so pages
  stored under the old key could not be filled under the new one.
"""

import hashlib
import importlib.util
import os
import site
import sys
from functools import cache as memoize
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.crypto import salted_hmac

SKIPPED_DIRECTORIES = {
    "__pycache__",
    "migrations",
    "node_modules",
    ".git",
    ".venv",
    "venv",
    "site-packages",
    "dist-packages",
}
# Under the project: what is installed, generated or written at run time.
SKIPPED_PROJECT_DIRECTORIES = {".venv", "venv", "node_modules", "var", "staticfiles", ".git"}
SKIPPED_SUFFIXES = {".pyc", ".pyo", ".sqlite3", ".log"}


def _canonical(value):
    """A text form of a setting that is the same in every process."""
    if isinstance(value, dict):
        items = sorted((str(k), _canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if value is None or isinstance(value, (str, int, float, bool, Path)):
        return repr(value)
    name = getattr(value, "__qualname__", type(value).__qualname__)
    module = getattr(value, "__module__", type(value).__module__)
    return f"<{module}.{name}>"


def _installed_roots(base):
    """Where Python and packages are installed, or files are generated: never the project's
    own code (a prefix holding the project, as ``/usr`` holds ``/usr/src/app``, is not one)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(site.getsitepackages())
    roots.add(site.getusersitepackages())
    for name in ("STATIC_ROOT", "VAR_DIR"):
        if getattr(settings, name, None):
            roots.add(getattr(settings, name))
    resolved = {Path(root).resolve() for root in roots if root}
    return {root for root in resolved if not base.is_relative_to(root)}


def _is_skipped(path, base, installed):
    if any(path.is_relative_to(root) for root in installed):
        return True
    if path.is_relative_to(base):
        parts = path.relative_to(base).parts
        return any(part in SKIPPED_PROJECT_DIRECTORIES for part in parts)
    return any(part in {"site-packages", "dist-packages"} for part in path.parts)


def _source_directories():
    base = Path(settings.BASE_DIR).resolve()
    installed = _installed_roots(base)
    directories = [
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and not _is_skipped(Path(config.path).resolve(), base, installed)
    ]
    urlconf = importlib.util.find_spec(settings.ROOT_URLCONF)
    if urlconf is not None and urlconf.origin:
        directories.append(Path(urlconf.origin).resolve().parent)  # config/: urls, middleware
    for template in settings.TEMPLATES:
        directories.extend(Path(d).resolve() for d in template.get("DIRS", ()))
    directories.extend(Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", ()))
    return sorted(set(directories))


def digested_files():
    """``(label, path)`` of every file in the digest, in a fixed order."""
    base = Path(settings.BASE_DIR).resolve()
    installed = _installed_roots(base)
    for directory in _source_directories():
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIPPED_DIRECTORIES
                and not _is_skipped(Path(root, d).resolve(), base, installed)
            )
            for name in sorted(files):
                path = Path(root, name)
                if path.suffix not in SKIPPED_SUFFIXES:
                    yield f"{directory.name}/{path.relative_to(directory)}", path


def _files_digest():
    digest = hashlib.sha256()
    for label, path in digested_files():
        digest.update(label.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


def _settings_digest():
    names = sorted(name for name in dir(settings) if name.isupper())
    text = "\n".join(f"{name}={_canonical(getattr(settings, name))}" for name in names)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@memoize
def deploy_version():
    parts = (os.environ.get("DEPLOY_VERSION", ""), _files_digest(), _settings_digest())
    return salted_hmac("trialpress.pagecache.deploy", "|".join(parts)).hexdigest()[:20]
