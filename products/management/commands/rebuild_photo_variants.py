"""Make the medium and thumbnail variants of product photos again from their large
variant, e.g. after ProductPhoto.MEDIUM_SIDE or THUMBNAIL_SIDE changed:

    manage.py rebuild_photo_variants --all
    manage.py rebuild_photo_variants --product 12 --product 15

The work runs in the background (products/tasks.py, rebuild_photo_variants, run by
`manage.py db_worker`), in tasks of PHOTOS_PER_REBUILD_TASK photos; this command
only queues them. Each task's result counts the photos rebuilt and those whose
large file is missing.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from products.models import ProductPhoto
from products.tasks import enqueue_photo_rebuilds


class Command(BaseCommand):
    help = (
        "Queue background tasks making the medium and thumbnail variants of product "
        "photos again from their large variant."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--all",
            action="store_true",
            dest="all_photos",
            help="Every photo of every product.",
        )
        which.add_argument(
            "--product",
            type=int,
            action="append",
            dest="products",
            metavar="PK",
            help="The photos of the product with this id (may be repeated).",
        )

    def handle(self, *args, all_photos, products, **options):
        photos = ProductPhoto.objects.all()
        if not all_photos:
            photos = photos.filter(product__in=products)
        photo_pks = list(photos.values_list("pk", flat=True))
        queued = enqueue_photo_rebuilds(photo_pks)
        self.stdout.write(
            ngettext(
                "%(count)d photo queued for rebuilding.",
                "%(count)d photos queued for rebuilding.",
                len(photo_pks),
            )
            % {"count": len(photo_pks)}
        )
        self.stdout.write(
            ngettext(
                "%(count)d background task queued.",
                "%(count)d background tasks queued.",
                queued,
            )
            % {"count": queued}
        )
