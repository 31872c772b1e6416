"""The post's history in the admin: the list of revisions, a word-level diff between any
two, "restore this revision" (itself a new revision), and a preview of unsaved changes.

Mixed into ``blog.admin.PostAdmin``; every view asks the same permission checks as the
post's change page (roles.policy through ``has_view_permission``/``has_change_permission``).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from blog import markup, revisions
from blog.corrections import NOTE_MAX_LENGTH
from blog.diffs import compare_snapshots
from blog.models import Disclosure, Post, PostRevision
from blog.services import post_restore, post_seen_snapshot

# Every field a revision keeps, in the order a diff shows them.
DIFF_FIELDS = (
    "title",
    "summary",
    "plain_summary",
    "body",
    "disclosures",
    *revisions.SOURCE_FIELDS,
    "labels",
    "slug",
    "status",
    "published_at",
    "comments_open",
)


# What "restore this revision" brings back (blog.services.post_restore).
RESTORED_FIELDS = ("title", "summary", "body", "disclosures", *revisions.SOURCE_FIELDS, "labels")


def diff_fields():
    """DIFF_FIELDS, with the parts other apps add (blog.revisions.register_snapshot_part)."""
    return (*DIFF_FIELDS, *revisions.snapshot_parts)


FIELD_LABELS = {
    "disclosures": "Disclosures",
    "labels": "Labels",
    **{
        f.name: f.verbose_name.capitalize()
        for f in Post._meta.get_fields()
        if getattr(f, "verbose_name", None)
    },
}


class RestoreForm(forms.Form):
    change_kind = forms.ChoiceField(
        label="Kind of change", required=False, choices=[("", "\u2014")] + PostRevision.Kind.choices
    )
    change_note = forms.CharField(
        label="Change note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


class CompareForm(forms.Form):
    """``?old=3&new=5``: two revision numbers (the admin's list sends them)."""

    old = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    new = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class PostRecordAdminMixin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/revisions/", wrap(self.revisions_view), name="blog_post_revisions"),
            path(
                "<int:pk>/revisions/compare/",
                wrap(self.revision_compare_view),
                name="blog_post_revision_compare",
            ),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                wrap(self.revision_restore_view),
                name="blog_post_revision_restore",
            ),
            path("<int:pk>/preview/", wrap(self.preview_view), name="blog_post_preview"),
            *super().get_urls(),
        ]

    # --- helpers ------------------------------------------------------------------------
    def _post_for(self, request, pk, *, change=False):
        post = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (
            self.has_change_permission(request, post)
            if change
            else self.has_view_permission(request, post)
        )
        if not allowed:
            raise PermissionDenied
        return post

    def _context(self, request, post, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": post,
            "title": title,
            "has_view_permission": True,
            **extra,
        }

    @staticmethod
    def revision_links(post):
        """The change page's link to the history (a read-only field)."""
        if post is None or post.pk is None:
            return "The history starts when you save the post."
        count = post.revisions.count()
        url = reverse("admin:blog_post_revisions", args=[post.pk])
        return format_html('<a href="{}">{} revision{}</a>', url, count, "" if count == 1 else "s")

    # --- views --------------------------------------------------------------------------
    def revisions_view(self, request, pk, *, problem="", status=200):
        """The list, with its form to compare two revisions; ``problem`` says why a
        comparison asked for could not be shown."""
        post = self._post_for(request, pk)
        rows = list(
            post.revisions.select_related("editor").defer("snapshot").order_by("-number")[:1000]
        )
        context = self._context(
            request,
            post,
            f"Revisions of \u201c{post}\u201d",
            revisions=rows,
            can_restore=self.has_change_permission(request, post),
            problem=problem,
        )
        return TemplateResponse(request, "admin/blog/post/revisions.html", context, status=status)

    def revision_compare_view(self, request, pk):
        post = self._post_for(request, pk)
        form = CompareForm(request.GET)
        if not form.is_valid():
            return self.revisions_view(
                request,
                pk,
                problem="Choose two revisions to compare: one under \u201cOlder\u201d and "
                "one under \u201cNewer\u201d.",
                status=400,
            )
        old, new = sorted((form.cleaned_data["old"], form.cleaned_data["new"]))
        found = revisions.snapshots(post.pk, [old, new])
        missing = [n for n in (old, new) if n not in found]
        if missing:
            return self.revisions_view(
                request,
                pk,
                problem=f"This post has no revision {missing[0]}: choose two from the list.",
                status=404,
            )
        heads = {
            r.number: r
            for r in post.revisions.filter(number__in=[old, new])
            .select_related("editor")
            .defer("snapshot")
        }
        changes = [
            (FIELD_LABELS.get(name) or revisions.part_labels.get(name, name), diff)
            for name, diff in compare_snapshots(found[old], found[new], fields=diff_fields())
        ]
        context = self._context(
            request,
            post,
            f"Revision {old} \u2192 {new} of \u201c{post}\u201d",
            old=heads[old],
            new=heads[new],
            changes=changes,
        )
        return TemplateResponse(request, "admin/blog/post/revision_compare.html", context)

    def revision_restore_view(self, request, pk, number):
        post = self._post_for(request, pk, change=True)
        revision = post.revisions.defer("snapshot").filter(number=number).first()
        if revision is None:
            raise Http404("This post has no such revision.")
        form = RestoreForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                post_restore(
                    post=post,
                    number=number,
                    editor=request.user,
                    change_kind=form.cleaned_data["change_kind"],
                    change_note=form.cleaned_data["change_note"],
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "error_dict", {"__all__": exc}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request, f"Revision {number} was restored as a new revision.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:blog_post_revisions", args=[post.pk]))
        context = self._context(
            request,
            post,
            f"Restore revision {number} of \u201c{post}\u201d",
            revision=revision,
            changes=self._restore_changes(post, number),
            form=form,
            readers_saw_it=post_seen_snapshot(post.pk) is not None,
        )
        status = 400 if form.errors else 200
        return TemplateResponse(
            request, "admin/blog/post/revision_restore.html", context, status=status
        )

    @staticmethod
    def _restore_changes(post, number):
        """What restoring revision ``number`` would change: the post as stored now against
        the parts a restore brings back (the publishing state stays)."""
        restored = revisions.snapshot(post.pk, number) or {}
        fields = [name for name in RESTORED_FIELDS if name in restored]
        return [
            (FIELD_LABELS.get(name, name), diff)
            for name, diff in compare_snapshots(
                revisions.snapshot_of(post), restored, fields=fields
            )
        ]

    def preview_view(self, request, pk):
        """The change form's "Preview changes" button posts here: the post as it would
        read, and what would change, without saving anything."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:blog_post_change", args=[pk]))
        post = self._post_for(request, pk, change=True)
        stored = revisions.snapshot_of(post)
        form = self.get_form(request, post, change=True)(request.POST, instance=post)
        inline = next(
            (i for i in self.get_inline_instances(request, post) if i.model is Disclosure), None
        )
        if inline is None:
            raise PermissionDenied
        formset = inline.get_formset(request, post)(
            request.POST, instance=post, prefix="disclosures"
        )
        form_ok = form.is_valid()
        post.pending_change = None  # a preview needs no change note
        if not (form_ok and formset.is_valid()):
            errors = [f"{name}: {' '.join(e)}" for name, e in form.errors.items()]
            errors += [" ".join(e) for e in formset.non_form_errors().as_data()]
            errors += [
                f"Disclosure {i + 1}: {' '.join(m for ms in f.errors.values() for m in ms)}"
                for i, f in enumerate(formset.forms)
                if f.errors
            ]
            context = self._context(request, post, "Preview not possible", errors=errors)
            return TemplateResponse(
                request, "admin/blog/post/preview_errors.html", context, status=400
            )
        kept = formset.kept_forms()
        disclosures = [
            Disclosure(**{k: f.cleaned_data.get(k, "") for k in revisions.DISCLOSURE_FIELDS})
            for f in kept
        ]
        after = revisions.snapshot_of(
            post,
            disclosures=[f.cleaned_data for f in kept],
            labels=list(form.cleaned_data.get("tags") or []),
        )
        post.body_html = markup.render_post_body(post.body)
        changes = [
            (FIELD_LABELS.get(name) or revisions.part_labels.get(name, name), diff)
            for name, diff in compare_snapshots(stored, after, fields=diff_fields())
        ]
        context = {
            "post": post,
            "disclosures": disclosures,
            "changes": changes,
            "change_url": reverse("admin:blog_post_change", args=[post.pk]),
        }
        response = TemplateResponse(request, "blog/post_preview.html", context)
        response["Cache-Control"] = "private, no-cache, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
