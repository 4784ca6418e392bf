"""App configurations of third-party apps, where the site needs its own."""

from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db, with its admin section named in the site's language (its
    own name is an untranslatable English string)."""

    verbose_name = _("Background tasks")


class StaffAdminConfig(AdminConfig):
    """Django's admin, whose site asks staff for a second factor."""

    default_site = "accounts.two_factor.StaffAdminSite"
