"""The public page of one announced change: the post's text before and after it.

Only published posts, only announced changes, and only compared with a version readers
saw: a draft's history and unannounced (minor) revisions are never shown.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from blog.models import Post
from blog.public_record import public_change


class PostChangeView(TemplateView):
    template_name = "blog/post_change.html"

    def get_context_data(self, **kwargs):
        post = get_object_or_404(
            Post.objects.published(),
            slug=kwargs["slug"],
            published_at__year=kwargs["year"],
            published_at__month=kwargs["month"],
        )
        if post.address_parts != (kwargs["year"], kwargs["month"], kwargs["slug"]):
            raise Http404("No post at this address.")
        found = public_change(post, kwargs["number"])
        if found is None:
            raise Http404("This post has no such announced change.")
        revision, changes = found
        return {
            **super().get_context_data(**kwargs),
            "post": post,
            "revision": revision,
            "changes": changes,
        }
