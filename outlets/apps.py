from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutletsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outlets"
    verbose_name = _("Outlets")

    def ready(self):
        from django.db.models.signals import post_delete

        from products.models import delete_stored_files
        from serang_umkm.hostile_input import guard_admin_changelists
        from serang_umkm.page_cache import connect_invalidation

        from .models import Outlet

        connect_invalidation()
        guard_admin_changelists()
        post_delete.connect(delete_stored_files, sender=Outlet)
