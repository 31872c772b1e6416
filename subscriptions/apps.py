from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Comment notifications"

    def ready(self):
        import pagecache
        from comments import extensions
        from outbox import policy
        from subscriptions import services

        extensions.register_submitted(services.on_comment_submitted)
        extensions.register_status_changed(services.on_comment_status_changed)
        extensions.register_notice(services.notice_for)
        policy.register_veto(services.address_opted_out)
        # Links carry tokens: their pages are never stored in the shared page cache.
        pagecache.register_excluded_prefix("/subscriptions/")
