from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox (mail and background work)"

    def ready(self):
        from django_tasks.signals import task_finished

        from outbox.tasks import mail_requeue_interrupted

        task_finished.connect(mail_requeue_interrupted, dispatch_uid="outbox-requeue")
