"""The site's URLs: each app owns its namespace."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("blog.urls")),
]

handler404 = "blog.views.page_not_found"
handler500 = "blog.views.server_error"
