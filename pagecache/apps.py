from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from pagecache import invalidation, tables

        invalidation.connect()
        post_migrate.connect(tables.create_cache_tables, sender=self)
