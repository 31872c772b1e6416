from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        import pagecache
        from comments import checks  # noqa: F401  (registers the system checks)
        from comments.forms import token_for_punch

        pagecache.watch(self.get_model("Comment"))
        pagecache.register_placeholder("comment_token", token_for_punch)
        from comments.rendering import OLD_REPLY_PARAMETER, REPLY_PARAMETER

        pagecache.register_bypass_parameter(REPLY_PARAMETER)
        pagecache.register_bypass_parameter(OLD_REPLY_PARAMETER)
        # The form's target (config/urls.py mounts comments at /comments/): a POST is never
        # cached anyway and a GET redirects, but no answer from it is ever a stored page.
        pagecache.register_excluded_prefix("/comments/post/")
        # == The commenter's own comments (issue 15): filled per request from a signed
        # cookie; the edit and withdraw pages are never cached. ==
        from comments.rendering import PENDING_PLACEHOLDER, fill_pending_placeholder

        pagecache.register_placeholder(PENDING_PLACEHOLDER, fill_pending_placeholder)
        pagecache.register_excluded_prefix("/comments/yours/")
        # == Threads in pages (issue 19): ?cpage=N is its own page of the post. ==
        from blog.views import PostDetailView

        pagecache.vary_on_query(PostDetailView, "cpage")  # positive_int, the default
        from blog import extensions
        from comments.page_checks import check_post_page

        extensions.register_post_page_check(check_post_page)
