"""STUB: the views helper replaces this module."""

from django.shortcuts import render
from django.views.generic import DetailView, ListView

from blog.models import Post


class PostListView(ListView):
    queryset = Post.objects.published().for_listing()
    template_name = "blog/post_list.html"


class PostDetailView(DetailView):
    template_name = "blog/post_detail.html"

    def get_queryset(self):
        return Post.objects.visible_to(self.request.user)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
