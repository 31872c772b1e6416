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
        # The page cache keeps one page per normalised query and page number. A page
        # number that is not canonical (abc, 0, -1, 03) is served uncached: the view shows
        # page 1 (or the last) for it without taking the slot of a real page.
        pagecache.vary_on_query(views.search, "q", validate=canonical)
        pagecache.vary_on_query(views.search, "page")  # positive_int, the default
