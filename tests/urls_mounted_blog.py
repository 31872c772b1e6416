"""A URLconf with the blog mounted under /journal/ (tests/test_blog_addresses.py)."""

from django.urls import include, path

urlpatterns = [path("journal/", include("blog.urls"))]
