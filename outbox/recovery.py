"""Tasks a dead worker left RUNNING go back in the queue (database backend).

django-tasks-db marks a task RUNNING when a worker claims it and FAILED or SUCCESSFUL when
it ends; a worker killed in between (SIGKILL, out of memory, the machine lost) leaves it
RUNNING for ever, and no worker takes it again. Run when a worker starts (our
``db_worker``): tasks last claimed by a worker of the same id (ids are unique in a pool,
so that worker is gone) and tasks RUNNING longer than TASKS_STALE_AFTER_SECONDS become
READY again. A task that had done its work but not yet been marked runs again: delivery is
at least once.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def task_results_recover(*, worker_id, stale_after, backend_name="default"):
    """Make READY the RUNNING tasks of ``backend_name`` that ``worker_id`` claimed last or
    that started more than ``stale_after`` seconds ago; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(backend_name=backend_name)
        lost = [
            (pk, path, started_at, ids)
            for pk, path, started_at, ids in running.values_list(
                "pk", "task_path", "started_at", "worker_ids"
            )
            if (ids and ids[-1] == worker_id) or (started_at and started_at < cutoff)
        ]
        if lost:
            running.filter(pk__in=[pk for pk, *_ in lost]).update(status=TaskResultStatus.READY)
    for pk, path, started_at, ids in lost:
        logger.warning(
            "Task id=%s path=%s was left RUNNING by worker %s since %s: back in the queue",
            pk,
            path,
            ids[-1] if ids else "?",
            started_at,
        )
    return len(lost)
