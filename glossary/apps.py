from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "glossary"
    verbose_name = "Glossary"

    def ready(self):
        from blog.extensions import register_demo_step
        from blog.post_html_hooks import register_post_html_hook
        from glossary.seed import seed_demo_step
        from glossary.services import mark_post_body

        register_post_html_hook(mark_post_body)
        register_demo_step(seed_demo_step)
