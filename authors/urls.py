from django.urls import path

from authors import feeds, views
from blog import urls as _blog_urls  # noqa: F401 (registers the anyslug converter)

app_name = "authors"
urlpatterns = [
    path("<anyslug:slug>/", views.AuthorDetailView.as_view(), name="detail"),
    path("<anyslug:slug>/feeds/atom/", feeds.author_atom_feed, name="feed_atom"),
]
