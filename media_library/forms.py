"""The upload form: the file is checked and cleaned while the form validates, so every
refusal (too large, not an image, SVG, a pixel bomb) is a message beside the field."""

from django import forms
from django.conf import settings

from media_library import services
from media_library.models import Image
from media_library.processing import ImageRefused

ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class ImageUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label="Image file",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    class Meta:
        model = Image
        fields = ("upload", "alt_text", "caption", "title")
        widgets = {
            "alt_text": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "caption": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb = settings.IMAGE_UPLOAD_MAX_BYTES / (1024 * 1024)
        self.fields["upload"].help_text = (
            f"JPEG, PNG, GIF or WebP, up to {limit_mb:g} MB and "
            f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g} million pixels. Location and camera "
            "details (EXIF) and other metadata are removed; sizes for phones and wide screens "
            "are made once, here. SVG is not accepted."
        )
        self.processed = None

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            self.processed = services.image_check(upload)
        except ImageRefused as refusal:
            raise forms.ValidationError(str(refusal), code="refused") from None
        return upload


class ImageDescriptionForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ("alt_text", "caption", "title")
        widgets = ImageUploadForm.Meta.widgets
