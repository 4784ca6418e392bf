"""The seed_demo command: a small, realistic demo catalogue that a second run keeps."""

import datetime
import io
import random
import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from accounts.models import User
from outlets.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD, Command
from outlets.management.demo_data import KINDS
from outlets.models import Agency, Display, Outlet
from products.models import (
    Business,
    Category,
    Certification,
    Kelurahan,
    Product,
    ProductPhoto,
)
from tests.media import stored_files

MODELS = [
    User,
    Business,
    Product,
    ProductPhoto,
    Certification,
    Display,
    Outlet,
    Agency,
    Kelurahan,
    Category,
]


def seed(businesses=12, **options):
    output = io.StringIO()
    call_command(
        "seed_demo", businesses=businesses, force=True, stdout=output, **options
    )
    return output.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.media
def test_seed_demo_fills_a_small_catalogue_from_the_reference_data(db):
    """Demo owners' businesses over many kelurahan, valid products with certificates
    and photos from a shared pool of WebP thumbnails, displays within capacity at the
    three real outlets, items waiting for staff and staff accounts; reference data is
    reused as is."""
    seed(verbosity=0)

    assert Outlet.objects.count() == 3
    assert Agency.objects.count() == 2
    assert Kelurahan.objects.count() == 66
    assert Category.objects.count() == 10

    businesses = Business.objects.select_related("owner")
    assert businesses.count() == 12
    owned = businesses.exclude(owner=None)
    assert {b.owner.email.partition("@")[2] for b in owned} == {DEMO_DOMAIN}
    assert owned.values("owner").distinct().count() == owned.count()
    # Staff registered one trader's business that still waits to be handed over.
    [held] = Business.objects.awaiting_hand_over()
    assert held.registered_by.is_staff
    assert businesses.values("kelurahan").distinct().count() >= 10
    assert not User.objects.exclude(email__endswith=f"@{DEMO_DOMAIN}").exists()
    for business in businesses:
        business.full_clean()
    products = Product.objects.all()
    assert products.count() >= 24
    for product in products:
        product.full_clean()
    assert (
        products.filter(status=Product.Status.APPROVED).count() > products.count() / 2
    )
    assert Certification.objects.filter(kind=Certification.Kind.HALAL).exists()

    photos = ProductPhoto.objects.all()
    assert photos.count() >= products.count() / 2
    thumbnails = set(photos.values_list("thumbnail", flat=True))
    for name in thumbnails:
        with default_storage.open(name) as file, Image.open(file) as thumbnail:
            assert (thumbnail.format, thumbnail.size) == ("WEBP", (400, 400))
    for large, medium in photos.values_list("large", "medium"):
        assert default_storage.exists(large) and default_storage.exists(medium)
    # A small pool of pictures, each stored once as three variants, serves all photos.
    assert len(thumbnails) < photos.count() / 2
    assert len(stored_files("products")) == 3 * len(thumbnails)

    for outlet in Outlet.objects.all():
        approved = Display.objects.at(outlet).filter(status=Display.Status.APPROVED)
        assert 0 < approved.count() <= outlet.display_capacity
        assert Display.objects.at(outlet).current().public().exists()
        assert not approved.exclude(product__in=Product.objects.public()).exists()

    # Rows carry their planned creation dates, not the moment of the run.
    month_ago = timezone.now() - datetime.timedelta(days=30)
    for model in (Business, Product, Display):
        assert model.objects.filter(created_at__lt=month_ago).exists()

    assert Business.objects.filter(status=Business.Status.PENDING).exists()
    assert Product.objects.filter(status=Product.Status.PENDING).exists()
    requests = Display.objects.filter(status=Display.Status.REQUESTED)
    assert requests.exclude(message="").values("outlet").distinct().count() == 3

    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    for agency in Agency.objects.all():
        member = agency.members.get()
        assert member.is_staff and not member.is_superuser
        assert member.check_password(DEMO_PASSWORD)
        assert member.has_perm("outlets.change_display")
        # Only Dinas Koperasi verifies businesses and reviews products.
        assert member.has_perm("products.change_business") == (
            agency.slug == "dinkopukmperindag"
        )


@pytest.mark.media
def test_seed_demo_run_again_adds_nothing_then_tops_up_to_the_new_size(db):
    """A second run with the same size creates no rows and no files; a larger size
    adds only the missing businesses and leaves the existing ones as they were."""
    seed(businesses=2, verbosity=0)
    first_counts, first_files = counts(), sorted(stored_files("products"))
    first_names = list(Business.objects.order_by("pk").values_list("name", flat=True))

    output = seed(businesses=2)

    assert counts() == first_counts
    assert sorted(stored_files("products")) == first_files
    assert "already there" in output

    seed(businesses=3, verbosity=0)

    names = list(Business.objects.order_by("pk").values_list("name", flat=True))
    assert names[:2] == first_names
    assert len(names) == 3
    assert User.objects.filter(email=f"pemilik3@{DEMO_DOMAIN}").exists()


def test_seed_demo_prints_the_demo_credentials_unless_silenced(db):
    """Credentials are printed at the end of a run; --verbosity 0 prints nothing."""
    assert seed(businesses=0, verbosity=0) == ""

    output = seed(businesses=0)

    assert f"admin@{DEMO_DOMAIN}" in output
    assert DEMO_PASSWORD in output
    assert User.objects.filter(is_staff=True).count() == 3


@pytest.mark.media
def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(db, settings):
    """With DEBUG off and no --force the command stops before creating anything: the
    demo accounts have a published password."""
    settings.DEBUG = False
    before = counts()

    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo", businesses=2, stdout=io.StringIO())

    assert counts() == before
    assert not default_storage.exists("products")


def test_seed_demo_gives_a_share_of_cosmetics_a_bpom_na_notification():
    """Some demo cosmetics, more often a small maker's, carry a BPOM NA notification
    number valid for at most three years; food never does."""
    command = Command()
    command.today = datetime.date(2026, 5, 4)
    rng = random.Random(1)

    def certifications(kind, size):
        return [
            certification
            for _ in range(200)
            for certification in command.plan_certifications(
                rng, Product(), KINDS[kind], size
            )
        ]

    micro = certifications("Sabun Herbal", Business.Size.MICRO)
    small = certifications("Lulur", Business.Size.SMALL)

    assert 0 < len(micro) < len(small) < 200
    for certification in micro + small:
        assert certification.kind == Certification.Kind.BPOM_NA
        assert re.fullmatch(r"NA18\d{9}", certification.number)
        assert certification.valid_until <= command.today + datetime.timedelta(
            days=3 * 365
        )
    food = certifications("Sambal", Business.Size.SMALL)
    assert food
    assert Certification.Kind.BPOM_NA not in {c.kind for c in food}
