"""The register of interests on an author's page: what they declared, grouped by whom.

Every disclosure on the author's PUBLISHED posts (drafts and scheduled posts are not public,
so they are not here, even for the author), grouped by organisation (``organisations``),
with the kinds of relationship, the first and last dates it was declared (the posts'
publish dates), the number of posts and links to them, and who declared it (the author, by
any of their names, or someone else named on their post). "Nothing to disclose" is counted
apart, and statements that name no organisation are listed as written. The author's
standing entries (``StandingInterest``) come first, with their own dates.

Two queries whatever the number of posts: the disclosures (with their posts' dates and
addresses) and the standing entries.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from authors.organisations import organisation_key, split_organisations
from blog.metadata import account_name
from blog.models import Disclosure, Post

NONE = Disclosure.Relationship.NONE
RELATIONSHIP_LABELS = dict(Disclosure.Relationship.choices)


@dataclass
class PostRef:
    title: str
    url: str
    date: object


@dataclass
class InterestGroup:
    name: str  # as written on the most recent post
    relationships: list = field(default_factory=list)
    by_author: bool = False  # the author declared it on one of the posts
    others: list = field(default_factory=list)  # anyone else who did, as written
    posts: list = field(default_factory=list)  # newest first

    @property
    def first_declared(self):
        return self.posts[-1].date

    @property
    def last_declared(self):
        return self.posts[0].date

    @property
    def post_count(self):
        return len(self.posts)


@dataclass
class Register:
    groups: list  # InterestGroup, most posts first, then by name
    unnamed: list  # (statement, relationship label, PostRef) for statements naming nobody
    nothing_to_disclose: list  # PostRef of posts whose only disclosure is "nothing"
    standing: list  # StandingInterest

    @property
    def is_empty(self):
        return not (self.groups or self.unnamed or self.nothing_to_disclose or self.standing)


def _post_url(row):
    local = timezone.localtime(row["post__published_at"])
    return reverse(
        "blog:post_detail",
        kwargs={"year": local.year, "month": f"{local.month:02d}", "slug": row["post__slug"]},
    )


def _add_unique(items, value):
    if value and value not in items:
        items.append(value)


def _folded_name(name):
    return " ".join(name.casefold().split())


def author_names(profile):
    """The names a disclosure may give the author by: the public name (the profile's), and
    the account's full name and username (what older disclosures were pre-filled with)."""
    user = profile.user
    names = (profile.display_name, account_name(user), user.get_username())
    return {_folded_name(name) for name in names if name}


def register_of_interests(profile):
    rows = (
        Disclosure.objects.filter(
            post__in=Post.objects.published().filter(author_id=profile.user_id)
        )
        .order_by("-post__published_at", "-post__pk", "position", "pk")
        .values(
            "person",
            "relationship",
            "organisations",
            "statement",
            "post_id",
            "post__title",
            "post__slug",
            "post__published_at",
        )
    )
    groups, unnamed, kinds_by_post, refs = {}, [], {}, {}
    own_names = author_names(profile)
    for row in rows:
        ref = refs.get(row["post_id"])
        if ref is None:
            ref = refs[row["post_id"]] = PostRef(
                row["post__title"], _post_url(row), timezone.localdate(row["post__published_at"])
            )
        kinds_by_post.setdefault(row["post_id"], set()).add(row["relationship"])
        if row["relationship"] == NONE:
            continue
        label = RELATIONSHIP_LABELS.get(row["relationship"], row["relationship"])
        names = split_organisations(row["organisations"])
        if not names:
            unnamed.append((row["statement"], label, ref))
        for name in names:
            key = organisation_key(name)
            if not key:
                continue
            group = groups.setdefault(key, InterestGroup(name=name))
            _add_unique(group.relationships, label)
            if _folded_name(row["person"]) in own_names:
                group.by_author = True
            else:
                _add_unique(group.others, " ".join(row["person"].split()))
            if not group.posts or group.posts[-1] is not ref:
                group.posts.append(ref)
    nothing = [refs[pk] for pk, kinds in kinds_by_post.items() if kinds == {NONE}]
    ordered = sorted(groups.values(), key=lambda g: (-g.post_count, g.name.casefold()))
    standing = list(profile.standing_interests.all())
    return Register(groups=ordered, unnamed=unnamed, nothing_to_disclose=nothing, standing=standing)
