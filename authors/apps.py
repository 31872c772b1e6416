from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = "Authors"

    def ready(self):
        import pagecache
        from authors import cards, demo, metadata, sections
        from blog import extensions

        # A profile's name, address and ORCID iD show on every byline and post.
        pagecache.watch(*self.get_models())
        extensions.register_author_name(cards.public_name, related=("author_profile",))
        extensions.register_feed_freshness(cards.profiles_changed)
        extensions.register_json_ld(metadata.json_ld_author)
        extensions.register_highwire(metadata.highwire_post_author)
        extensions.register_section("coi_box", sections.register_link)
        extensions.register_demo_step(demo.demo_profile_step)

        # Right of reply (issue 16): the post's author is emailed about approved responses.
        from authors import right_of_reply
        from comments import extensions as comment_extensions

        comment_extensions.register_submitted(right_of_reply.on_comment_submitted)
        comment_extensions.register_status_changed(right_of_reply.on_comment_status_changed)
        # Its links carry tokens: their pages are never stored in the shared page cache.
        pagecache.register_excluded_prefix("/authors/right-of-reply/")
