"""The media settings: documented defaults, read from the environment, loud when wrong."""

import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured

from media_library import storage_settings
from tests.test_settings_env import ROOT, settings_in_subprocess

DEFAULTS = {
    "MEDIA_URL": "/media/",
    "IMAGE_UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 50_000_000,
    "MEDIA_STORAGE_URL": "",
}


def test_documented_defaults(tmp_path):
    found = settings_in_subprocess([*DEFAULTS, "MEDIA_ROOT"], TRIALPRESS_VAR_DIR=str(tmp_path))
    assert found.pop("MEDIA_ROOT") == str(tmp_path / "media")
    assert found == DEFAULTS


def test_the_readme_documents_every_media_setting():
    readme = (ROOT / "README.md").read_text()
    for name in (*DEFAULTS, "MEDIA_ROOT"):
        assert f"`{name}`" in readme, name


def test_each_is_read_from_the_environment():
    found = settings_in_subprocess(
        ["MEDIA_URL", "MEDIA_ROOT", "IMAGE_UPLOAD_MAX_BYTES", "IMAGE_MAX_PIXELS", "STORAGES"],
        MEDIA_URL="/uploads/",
        MEDIA_ROOT="/srv/trialpress/media",
        IMAGE_UPLOAD_MAX_BYTES="1048576",
        IMAGE_MAX_PIXELS="1000000",
    )
    assert found["MEDIA_URL"] == "/uploads/" and found["MEDIA_ROOT"] == "/srv/trialpress/media"
    assert (found["IMAGE_UPLOAD_MAX_BYTES"], found["IMAGE_MAX_PIXELS"]) == (1048576, 1000000)
    assert found["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIA_URL": "https://cdn.example.org/media/"}, "MEDIA_URL must be a path on this site"),
        ({"MEDIA_URL": "//cdn.example.org/"}, "MEDIA_URL must be a path on this site"),
        ({"MEDIA_URL": "/media"}, "MEDIA_URL must be a path on this site"),
        ({"MEDIA_STORAGE_URL": "ftp://bucket"}, "MEDIA_STORAGE_URL must look like s3://"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_it(env, message):
    with pytest.raises(subprocess.CalledProcessError) as failed:
        settings_in_subprocess(["MEDIA_URL"], **env)
    assert message in failed.value.stderr


def test_object_storage_without_django_storages_says_what_to_install(monkeypatch):
    monkeypatch.setattr(storage_settings.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImproperlyConfigured, match=r'pip install "django-storages\[s3\]"'):
        storage_settings.storage_from_url("s3://bucket")


def test_object_storage_settings_come_from_the_url(monkeypatch):
    monkeypatch.setattr(storage_settings.importlib.util, "find_spec", lambda name: object())
    entry = storage_settings.storage_from_url(
        "s3://trialpress-media/site/uploads?endpoint_url=https://s3.example.org&region_name=eu-west-2"
    )
    assert entry == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "trialpress-media",
            "location": "site/uploads",
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-west-2",
        },
    }
