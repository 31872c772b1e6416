"""The site's URLs: each app owns its namespace."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy

import pagecache
from config.admin_shortcut import admin_view_on_site
from limits.login_throttle import throttled_admin_login


def favicon(request):
    """Old browsers and feed readers ask for /favicon.ico; point them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# The admin is headed with the site's name, read when a page is drawn (so a changed
# SITE_NAME shows at once), instead of "Django administration".
admin.site.site_header = lazy(lambda: settings.SITE_NAME, str)()
admin.site.site_title = lazy(lambda: f"{settings.SITE_NAME} admin", str)()
admin.site.index_title = lazy(lambda: f"{settings.SITE_NAME} administration", str)()
# The site has few models: the header's links and the index reach them all. Without the
# navigation sidebar the moderation queue and the post editor fit a 1,280 px screen.
admin.site.enable_nav_sidebar = False

# Signed-in pages (and the sign-in form) are never served from or stored in the page cache.
pagecache.register_excluded_prefix("/admin/")

urlpatterns = [
    path("admin/login/", throttled_admin_login, name="admin_login_throttled"),
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin_view_on_site),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    path("comments/", include("comments.urls")),
    path("subscriptions/", include("subscriptions.urls")),  # == Notify me (issue 15) ==
    # Uploaded images (media_library), served by the app itself; see README, "Images".
    path(settings.MEDIA_URL.lstrip("/"), include("media_library.urls")),
    path("search/", include("search.urls")),  # == Search, authors, citing ==
    path("authors/", include("authors.urls")),
    path("cite/", include("citations.urls")),
    path("", include("blog.urls")),
]

handler404 = "blog.views.page_not_found"
handler500 = "config.middleware.server_error"
