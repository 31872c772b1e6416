"""django-tasks-db's ``db_worker``, first putting back the tasks a dead worker left RUNNING
(outbox.recovery). "outbox" precedes "django_tasks_db" in INSTALLED_APPS, so this is the
command ``manage.py db_worker`` runs; every option is the original's."""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from outbox.recovery import task_results_recover


class Command(DatabaseWorkerCommand):
    help = (
        "Run a database background worker, after putting back in the queue the tasks a "
        "dead worker left RUNNING (give each worker a stable, unique --worker-id)."
    )

    def handle(self, *args, worker_id, backend_name, **options):
        task_results_recover(
            worker_id=worker_id,
            backend_name=backend_name,
            stale_after=settings.TASKS_STALE_AFTER_SECONDS,
        )
        return super().handle(*args, worker_id=worker_id, backend_name=backend_name, **options)
