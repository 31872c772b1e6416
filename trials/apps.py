from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials"

    def ready(self):
        """Wire the trials into the post page, feeds, JSON-LD, admin and demo through
        blog.extensions: blog never imports this app."""
        import pagecache
        from blog import extensions, revisions
        from trials import hooks, revision_text

        pagecache.watch(*self.get_models())
        extensions.register_prefetch(hooks.records_prefetch())
        extensions.register_section("after_coi_box", hooks.results_section)
        extensions.register_section("coi_box", hooks.sponsor_notice)
        extensions.register_feed_content(hooks.feed_tables, place="before_comments_link")
        extensions.register_json_ld(hooks.json_ld_trials)
        extensions.register_demo_step(hooks.demo_step)
        revisions.register_snapshot_part(
            revision_text.PART_NAME,
            revision_text.post_trial_records_text,
            label=revision_text.PART_LABEL,
        )
        from trials.admin import TrialRecordPostInline

        extensions.register_post_inline(TrialRecordPostInline)
