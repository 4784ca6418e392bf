from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "products"
    verbose_name = _("Catalogue")

    def ready(self):
        from django.db.models.signals import post_delete

        from .models import Business, ImportJob, ProductPhoto, delete_stored_files

        for model in (Business, ImportJob, ProductPhoto):
            post_delete.connect(delete_stored_files, sender=model)

        from serang_umkm.counting import counts_flushed

        from .summaries import queue_monthly_summaries_after_flush

        counts_flushed.connect(queue_monthly_summaries_after_flush)
