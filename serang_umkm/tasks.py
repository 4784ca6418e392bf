"""Enqueueing background tasks (django-tasks) together with the change that causes
them.

With the database backend (django-tasks-db, production) the task's row is written in
the current transaction: the worker sees it only once the change commits, a rolled-
back change leaves no task, and nothing is lost between the commit and the enqueue.
Any other backend (the immediate one of tests and `TASKS_BACKEND`) is handed the task
when the transaction commits, so it, too, never runs for a change rolled back.
"""

from django.db import transaction
from django_tasks_db import DatabaseBackend


def enqueue_with_transaction(task, *args, then=None, **kwargs):
    """Enqueue task(*args, **kwargs) to run if, and once, the current transaction
    commits (at once outside a transaction); then(task_result), when given, is
    called with the enqueued task's result."""

    def enqueue():
        result = task.enqueue(*args, **kwargs)
        if then is not None:
            then(result)
        return result

    if isinstance(task.get_backend(), DatabaseBackend):
        return enqueue()
    transaction.on_commit(enqueue, robust=True)
    return None
