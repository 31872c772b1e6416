from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = "Authors"

    def ready(self):
        import pagecache
        from authors import metadata
        from blog import metadata as blog_metadata

        # A profile's name, address and ORCID iD show on every byline and post.
        pagecache.watch(*self.get_models())
        blog_metadata.JSON_LD_EXTENSIONS.append(metadata.json_ld_author)
        blog_metadata.HIGHWIRE_EXTENSIONS.append(metadata.highwire_post_author)

    def load_demo(self, *, reset=False):
        """``manage.py load_demo`` calls each app's ``load_demo`` after the demo posts."""
        from authors.demo import load_demo_profiles

        load_demo_profiles(reset=reset)
