"""Mounted at MEDIA_URL by config/urls.py."""

from django.urls import path

from media_library.views import serve_media

app_name = "media_library"
urlpatterns = [path("<path:name>", serve_media, name="file")]
