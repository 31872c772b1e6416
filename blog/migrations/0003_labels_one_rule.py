"""Existing labels under the new rules: one label per name whatever its case ("MS" and
"ms" are merged into the older one, posts keep it once), and every slug an address can
hold (blog.models.SLUG_PATTERN; an emoji-only name had an empty slug)."""

import re

from django.db import migrations
from django.utils.text import slugify

# Frozen copies of blog.models' rule, as of this migration.
SLUG = re.compile(r"^[-\w]+\Z")
MAX_LENGTH = 100


def _free_slug(name, taken):
    base = slugify(name, allow_unicode=True)[:MAX_LENGTH].strip("-_") or "label"
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = base[: MAX_LENGTH - len(suffix)] + suffix, n + 1
    return candidate


def merge_and_reslug(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    keepers = {}
    for tag in Tag.objects.order_by("pk"):
        key = tag.name.casefold()
        keeper = keepers.setdefault(key, tag)
        if keeper.pk == tag.pk:
            continue
        for item in TaggedItem.objects.filter(tag=tag):
            twin = TaggedItem.objects.filter(
                tag=keeper, content_type_id=item.content_type_id, object_id=item.object_id
            )
            if twin.exists():
                item.delete()
            else:
                item.tag = keeper
                item.save(update_fields=["tag"])
        tag.delete()
    taken = set(Tag.objects.values_list("slug", flat=True))
    for tag in Tag.objects.order_by("pk"):
        if not SLUG.match(tag.slug or ""):
            taken.discard(tag.slug)
            tag.slug = _free_slug(tag.name, taken)
            taken.add(tag.slug)
            tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_addresses_and_labels"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(merge_and_reslug, migrations.RunPython.noop)]
