"""What a parser hands to the import pipeline: plain data, no models.

Each format's parser (``imports.blogger``, ``imports.wxr``) turns a file into these records;
``imports.pipeline`` is the only code that turns records into posts, labels, comments and old
addresses. Keeping the seam this narrow lets a new format arrive without touching the pipeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ItemKind(StrEnum):
    POST = "post"
    PAGE = "page"


class ItemStatus(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # WordPress "future"
    PRIVATE = "private"
    PENDING = "pending"  # WordPress "pending review"
    TRASH = "trash"


class CommentStatus(StrEnum):
    APPROVED = "approved"
    HELD = "held"  # WordPress comment_approved=0
    SPAM = "spam"
    REJECTED = "rejected"  # WordPress trash


@dataclass(frozen=True)
class AuthorRecord:
    login: str  # the source's key for the author (WordPress login, Blogger name/uri)
    display_name: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class CommentRecord:
    source_id: str  # unique within the file (WordPress comment_id, Blogger entry id)
    author_name: str
    body_html: str  # as in the file; the pipeline sanitises
    created_at: dt.datetime | None  # aware; None when the file's date is unusable
    status: CommentStatus = CommentStatus.APPROVED
    parent_source_id: str = ""  # "" for a top-level comment
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    kind: str = "comment"  # "comment", "pingback", "trackback"
    markdown: str = ""  # Trialpress's own export: the comment's Markdown source
    competing_interests: str = ""  # Trialpress's own export: as the commenter declared them


@dataclass(frozen=True)
class ItemRecord:
    source_id: str  # stable across exports of the same blog (WordPress guid/post_id, Blogger id)
    kind: ItemKind
    title: str
    body_html: str  # as in the file; the pipeline converts and sanitises
    status: ItemStatus
    author_login: str = ""
    slug: str = ""  # the source's slug (post_name, the Blogger URL's last part), may be ""
    excerpt: str = ""
    published_at: dt.datetime | None = None  # aware
    updated_at: dt.datetime | None = None
    old_urls: tuple[str, ...] = ()  # absolute or root-relative addresses that must 301 here
    labels: tuple[str, ...] = ()  # categories and tags, Unicode names as given
    comments: tuple[CommentRecord, ...] = ()
    comments_open: bool | None = None  # None: the file does not say
    meta: dict[str, str] = field(default_factory=dict)  # extra fields (e.g. a WXR disclosure)
    problems: tuple[str, ...] = ()  # report lines the parser found (odd date, missing parent...)


@dataclass
class ParsedFile:
    """A whole export: the blog's own address, its authors and its items, in file order."""

    format: str  # "blogger" or "wxr"
    site_url: str = ""
    site_title: str = ""
    generator: str = ""  # what wrote the file (WXR's <generator>: "Trialpress" for our own)
    authors: list[AuthorRecord] = field(default_factory=list)
    items: list[ItemRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # report lines: "settings entry x: not a post"
    skipped_entries: int = 0  # how many entries those lines stand for
