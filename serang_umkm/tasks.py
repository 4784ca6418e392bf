"""Enqueueing background tasks (django-tasks) together with the change that causes
them.

With the database backend (django-tasks-db, production) the task's row is written in
the current transaction: the worker sees it only once the change commits, a rolled-
back change leaves no task, and nothing is lost between the commit and the enqueue.
Any other backend (the immediate one of tests and `TASKS_BACKEND`) is handed the task
when the transaction commits, so it, too, never runs for a change rolled back.
"""

from functools import partial

from django.db import transaction
from django_tasks_db import DatabaseBackend


def enqueue_with_transaction(task, *args, **kwargs):
    """Enqueue task(*args, **kwargs) to run if, and once, the current transaction
    commits (at once outside a transaction)."""
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)
    return None
