from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        import pagecache
        from search import upkeep, views
        from search.documents import search_documents_fill_missing
        from search.query import canonical

        upkeep.connect()
        post_migrate.connect(search_documents_fill_missing, sender=self)
        # The page cache keeps one page per normalised query and page number.
        pagecache.vary_on_query(views.search, "q", validate=canonical)
        pagecache.vary_on_query(views.search, "page")
