"""The demo authors' profiles, made by ``load_demo`` (a blog.extensions demo step).

Only what the demo's source says: the CARE-MS II write-up's author is "the trial's principal
investigator at Barts Health", unnamed, so the profile names nobody and carries no ORCID iD
(an iD is a real person's; none can be justified for an unnamed author).
"""

from authors.models import AuthorProfile
from authors.services import author_profile_ensure, author_profile_save
from blog.metadata import account_name

DEMO_PROFILES = {
    "barts-pi": {
        "affiliation": "Barts Health",
        "bio": (
            "Principal investigator of the CARE-MS II trial at Barts Health, as the original "
            "post says. The source does not name its author, so neither does this site."
        ),
    },
    "editor": {
        "bio": "The editors of this demonstration site. They write its notes about the site "
        "itself and declare their interests like every author.",
    },
}


def demo_profile_step(*, post, reset=False):
    """The demo post's author gets a profile; ``reset`` rewrites it from DEMO_PROFILES."""
    user = post.author
    fields = DEMO_PROFILES.get(user.username, {})
    profile = AuthorProfile.objects.filter(user=user).first()
    if profile is None:
        author_profile_ensure(user=user, **fields)
    elif reset:
        profile.display_name = account_name(user)
        for name, value in fields.items():
            setattr(profile, name, value)
        author_profile_save(profile=profile)
