from django.urls import path

from authors import feeds, right_of_reply_views, views
from blog import urls as _blog_urls  # noqa: F401 (registers the anyslug converter)

app_name = "authors"
urlpatterns = [
    # Before the author pages: a token never contains "/", so no slug page is shadowed.
    path(
        "right-of-reply/stop/<str:token>/",
        right_of_reply_views.stop,
        name="right_of_reply_stop",
    ),
    path("<anyslug:slug>/", views.AuthorDetailView.as_view(), name="detail"),
    path("<anyslug:slug>/feeds/atom/", feeds.author_atom_feed, name="feed_atom"),
]
