"""The media library: images uploaded in the admin, cleaned, resized once, and inserted into
posts with ``![alt](image:<id>)``."""
