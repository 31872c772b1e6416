"""Re-render the posts a glossary change touches, in a worker rather than the request:
with many posts the re-render takes seconds."""

from django.conf import settings
from django_tasks import task


@task(queue_name=settings.TASKS_QUEUE)
def posts_rerender(*, phrases=None):
    """Run ``glossary_posts_rerender``; returns how many posts changed."""
    from glossary.services import glossary_posts_rerender

    return glossary_posts_rerender(phrases=phrases)
