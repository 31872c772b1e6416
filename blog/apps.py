from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.sitemaps.views import sitemap
        from taggit.models import Tag, TaggedItem

        import pagecache
        from blog.navigation import _next_publish_timestamp

        # Authors' names are on every post; a new account or a sign-in shows nowhere.
        pagecache.watch(*self.get_models(), Tag, TaggedItem)
        pagecache.watch(get_user_model(), on_create=False, ignored_fields={"last_login"})
        pagecache.register_expiry(_next_publish_timestamp)
        from blog.review_dates import next_notice_timestamp

        pagecache.register_expiry(next_notice_timestamp)  # a review notice appears
        pagecache.vary_on_query(sitemap, "p")  # Django's sitemap pages
