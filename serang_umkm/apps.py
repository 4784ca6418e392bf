"""App configurations of third-party apps, where the site needs its own."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db, with its admin section named in the site's language (its
    own name is an untranslatable English string)."""

    verbose_name = _("Background tasks")
