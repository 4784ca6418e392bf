"""Each domain rule has one home (issue #15): an instance check reads the very
condition its queryset filters by (products/conditions.py), and the two agree on
every case."""

import datetime

import pytest
from django.utils import timezone

from products.models import Business, Certification, Product
from tests.factories import make_business, make_product

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "valid_until", [None, TODAY - DAY, TODAY, TODAY + DAY], ids=str
)
def test_a_certificate_is_valid_as_the_valid_certificates_have_it(valid_until):
    """Certification.is_valid() (on prefetched certificates, without a query) and
    CertificationQuerySet.valid() agree: no expiry, or expiring on the day or
    later."""
    certificate = Certification.objects.create(
        product=make_product(),
        kind=Certification.Kind.HALAL,
        number="ID36110000000001",
        valid_until=valid_until,
    )
    in_queryset = Certification.objects.valid(TODAY).filter(pk=certificate.pk)
    assert certificate.is_valid(TODAY) == in_queryset.exists()
    assert certificate.is_valid(TODAY) == (valid_until is None or valid_until >= TODAY)


def test_a_certificate_is_valid_today_by_default():
    """Without a date, both read today."""
    today = timezone.localdate()
    certificate = Certification.objects.create(
        product=make_product(),
        kind=Certification.Kind.HALAL,
        number="ID36110000000002",
        valid_until=today - DAY,
    )
    assert not certificate.is_valid()
    assert not Certification.objects.valid().exists()


@pytest.mark.parametrize("business_status", Business.Status.values)
@pytest.mark.parametrize("status", Product.Status.values)
def test_a_product_is_public_as_the_public_products_have_it(status, business_status):
    """Product.is_public, ProductQuerySet.public() and the owner's "cannot be
    displayed" reason agree on every product and business status."""
    from outlets.forms import display_refusal

    product = make_product(
        status=status, business=make_business(status=business_status)
    )
    public = Product.objects.public().filter(pk=product.pk).exists()
    assert product.is_public == public
    assert public == (status == "approved" and business_status == "verified")
    assert (display_refusal(product) == "") == public


def test_is_public_reads_no_business_of_a_product_not_approved(
    django_assert_num_queries,
):
    """As before: the status is read first, the business only when it matters."""
    product = Product.objects.get(pk=make_product(status=Product.Status.DRAFT).pk)
    with django_assert_num_queries(0):
        assert not product.is_public


WINDOWS = {
    "started, open-ended": (TODAY - DAY, None),
    "started, ends today": (TODAY - DAY, TODAY),
    "starts today": (TODAY, TODAY + DAY),
    "starts tomorrow": (TODAY + DAY, None),
    "ended yesterday": (TODAY - 2 * DAY, TODAY - DAY),
    "no dates": (None, None),
}
DISPLAY_CASES = [
    (status, window)
    for status in ["requested", "approved", "rejected", "cancelled", "ended"]
    for window in WINDOWS
    if not (status == "approved" and window == "no dates")  # a constraint
]


@pytest.mark.parametrize(("status", "window"), DISPLAY_CASES)
def test_a_display_is_on_show_open_and_at_a_stage_as_the_queries_have_it(
    status, window
):
    """Display.takes_place() and DisplayQuerySet.current(), Display.stage() and
    count_by_stage(), Display.OPEN and open() agree on every status and window."""
    from outlets.models import Display
    from tests.factories import make_display

    starts_on, ends_on = WINDOWS[window]
    display = make_display(status=status, starts_on=starts_on, ends_on=ends_on)
    displays = Display.objects.filter(pk=display.pk)

    on_show = displays.current(TODAY).exists()
    assert display.takes_place(TODAY) == on_show
    assert on_show == (
        status == "approved" and starts_on <= TODAY and (ends_on or TODAY) >= TODAY
    )
    counts = displays.count_by_stage(TODAY)
    assert counts == {
        stage.value: int(stage == display.stage(TODAY)) for stage in Display.Stage
    }
    assert displays.open().exists() == (status in ("requested", "approved"))


def read_price(read, written):
    """What a price reader makes of the text: the amount, or "refused"."""
    from django.core.exceptions import ValidationError

    try:
        return read(written)
    except (ValidationError, ValueError):
        return "refused"


@pytest.mark.parametrize(
    ("written", "rupiah"),
    [
        ("Rp 25.000", 25_000),
        ("25.000,-", 25_000),
        ("25rb", 25_000),
        ("Rp. 1,5 jt", 1_500_000),
        ("25000", 25_000),
        ("", None),
        ("2.000.000.000", 2_000_000_000),
        ("2.000.000.001", "refused"),  # above MAX_PRICE
        ("-5000", "refused"),
        ("nego", "refused"),
        ("2,5", "refused"),
    ],
)
def test_the_import_reads_a_price_as_the_owner_form_does(written, rupiah):
    """The register import's RupiahWidget accepts exactly what the owner's product
    form (RupiahField) accepts, as the same whole rupiah."""
    from products.forms import RupiahField
    from products.resources import RupiahWidget

    form_field = RupiahField(required=False)
    assert read_price(form_field.clean, written) == rupiah
    assert read_price(RupiahWidget().clean, written) == rupiah


@pytest.mark.parametrize(
    ("model_name", "column", "heading"),
    [
        ("outlets.Agency", "outlet_count", "outlets"),
        ("outlets.Agency", "member_count", "staff members"),
        ("products.Kecamatan", "kelurahan_count", "kelurahan"),
        ("products.Kelurahan", "business_count", "businesses"),
        ("products.Category", "product_count", "products"),
        ("products.Business", "product_count", "products"),
    ],
)
def test_every_admin_counter_column_counts_by_count_of(model_name, column, heading, rf):
    """The admins' counter columns (CounterColumns): headed, sortable by their
    annotation, and counting the related rows of each listed row."""
    from django.apps import apps
    from django.contrib import admin
    from django.utils import translation

    model = apps.get_model(model_name)
    model_admin = admin.site._registry[model]
    display = getattr(model_admin, column)
    with translation.override("en"):
        assert str(display.short_description) == heading
    assert display.admin_order_field == column

    make_product()  # a business, with a product in its category and kelurahan
    request = rf.get("/")
    request.user = None
    for row in model_admin.get_queryset(request):
        related = {
            "outlet_count": lambda o: o.outlets.count(),
            "member_count": lambda o: o.members.count(),
            "kelurahan_count": lambda o: o.kelurahan.count(),
            "business_count": lambda o: o.businesses.count(),
            "product_count": lambda o: o.products.count(),
        }[column]
        assert display(row) == related(row)
