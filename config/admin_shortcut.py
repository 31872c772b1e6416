"""The admin's "view on site" redirect, with the model admin's own permission check.

Django's ``/admin/r/<content_type>/<id>/`` checks only that the user is staff, so an
Author could learn the address (and slug) of another author's draft through it. Here the
object must be one the user may view in the admin.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404


def view_on_site(request, content_type_id, object_id):
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist as missing:
        raise Http404("No such kind of object.") from missing
    model_admin = admin.site._registry.get(model)  # noqa: SLF001 - the admin's own registry
    obj = model_admin.get_object(request, object_id) if model_admin else None
    if obj is None or not model_admin.has_view_permission(request, obj):
        raise Http404("No such object.")
    if not getattr(obj, "has_address", True):
        raise Http404("This object has no public address yet: correct it in the admin.")
    return shortcut(request, content_type_id, object_id)


admin_view_on_site = admin.site.admin_view(view_on_site)
