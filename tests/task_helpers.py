"""Running the background task queue (django-tasks-db) inside a test."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks():
    """Run what waits in the queue, and what those tasks queue in turn, as db_worker
    does (its Worker.run_task), in this process and inside the test's transaction,
    which the worker's own loop would close. Tasks deferred to later (run_after)
    stay queued. Returns how many ran."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ready := list(DBTaskResult.objects.ready()):
        for task_result in ready:
            task_result.claim(worker.worker_id)
            worker.run_task(task_result)
            ran += 1
    return ran
