from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials"

    def ready(self):
        """Wire the trials into the post page, feeds, JSON-LD, admin and demo through
        blog.extensions: blog never imports this app."""
        import pagecache
        from blog import extensions
        from trials import hooks

        pagecache.watch(*self.get_models())
        extensions.register_prefetch(hooks.records_prefetch())
        extensions.register_section("after_coi_box", hooks.results_section)
        extensions.register_section("coi_box", hooks.sponsor_notice)
        extensions.register_feed_content(hooks.feed_tables)
        extensions.register_json_ld(hooks.json_ld_trials)
        extensions.register_demo_step(hooks.demo_step)
        from trials.admin import TrialRecordPostInline

        extensions.register_post_inline(TrialRecordPostInline)
