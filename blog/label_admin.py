"""Labels (taggit's Tag) in the admin, under the roles' rules.

taggit's own TagAdmin lets any staff member merge or rename labels across every post (its
merge view checks only is_staff). Here: no bulk actions and no merge view; Authors see
the labels of the posts they may see, and only Editors change or delete labels, since a
label belongs to every post that carries it.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from taggit.models import Tag, TaggedItem

from blog.models import Post
from roles import policy


class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    actions = None

    def get_queryset(self, request):
        labels = super().get_queryset(request)
        if policy.is_editor(request.user):
            return labels
        visible_posts = policy.posts_visible_to(request.user, Post.objects.all())
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Post),
            object_id__in=visible_posts.values("pk"),
        )
        return labels.filter(pk__in=tagged.values("tag_id"))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and policy.is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and policy.is_editor(request.user)


def register(site=admin.site):
    if site.is_registered(Tag):
        site.unregister(Tag)
    site.register(Tag, LabelAdmin)
