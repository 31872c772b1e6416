"""The author's page: who they are, their register of interests, their posts."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from authors.models import AuthorProfile
from authors.register import register_of_interests
from blog.views import PostListMixin


class AuthorDetailView(PostListMixin, ListView):
    """``/authors/<slug>/``: the profile, the register, then the author's published posts
    (ten a page). An author with nothing published still has a page (a new author)."""

    template_name = "authors/author_detail.html"

    def get(self, request, *args, **kwargs):
        self.profile = get_object_or_404(
            AuthorProfile.objects.select_related("user"), slug=kwargs["slug"]
        )
        if not self.profile.user.is_active:
            raise Http404("No author at this address.")
        return super().get(request, *args, **kwargs)

    def filter_posts(self, posts):
        return posts.filter(author_id=self.profile.user_id)

    def count_key(self):
        return (*super().count_key(), self.profile.user_id)

    def get_list_heading(self):
        return f"Posts by {self.profile.display_name}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(profile=self.profile, **kwargs)
        if context["page_obj"].number == 1:
            context["register"] = register_of_interests(self.profile)
        return context
