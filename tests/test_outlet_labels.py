"""Shelf labels: a printable sheet of QR labels for the products on display."""

import base64
import datetime
import io
import re

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from outlets.models import Agency, Display
from outlets.views import qr_data_uri

from .factories import make_display, make_product, make_user

QR_SOURCES = re.compile(r'src="data:image/png;base64,([^"]+)"')


def labels_url(outlet):
    return reverse("outlets:labels", kwargs={"slug": outlet.slug})


def decode(data):
    """The text of the single QR code in a base64 PNG."""
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    (barcode,) = zxingcpp.read_barcodes(image)
    return barcode.text


def qr_texts(response):
    return [decode(data) for data in QR_SOURCES.findall(response.text)]


@pytest.fixture
def disparpora_staff(db):
    user = make_user(is_staff=True)
    Agency.objects.get(slug="disparpora").members.add(user)
    return user


def test_anonymous_visitors_are_sent_to_the_admin_login(client, iwak_banten):
    """An anonymous visitor is redirected to the admin login, back here after."""
    response = client.get(labels_url(iwak_banten))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert "next=" in response.url


def test_owners_who_are_not_staff_are_sent_to_the_admin_login(client, iwak_banten):
    """A signed-in owner without staff status is redirected to the admin login."""
    client.force_login(make_user())
    response = client.get(labels_url(iwak_banten))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_print_labels_only_for_their_agencys_outlets(
    client, disparpora_staff, iwak_banten, cipare
):
    """Disparpora's staff get Iwak Banten's labels; another agency's outlet is a
    404."""
    client.force_login(disparpora_staff)
    assert client.get(labels_url(iwak_banten)).status_code == 200
    assert client.get(labels_url(cipare)).status_code == 404


def test_staff_outside_every_agency_get_404(client, iwak_banten):
    """A staff member of no agency prints no outlet's labels."""
    client.force_login(make_user(is_staff=True))
    assert client.get(labels_url(iwak_banten)).status_code == 404


def test_superusers_print_labels_for_every_outlet(admin_client, iwak_banten, cipare):
    """A superuser gets the labels of any outlet."""
    assert admin_client.get(labels_url(iwak_banten)).status_code == 200
    assert admin_client.get(labels_url(cipare)).status_code == 200


def test_the_sheet_is_never_cached(client, disparpora_staff, iwak_banten):
    """The page tells browsers and the page cache never to keep it."""
    client.force_login(disparpora_staff)
    response = client.get(labels_url(iwak_banten))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_sheet_lists_only_products_on_display_now(
    client, disparpora_staff, iwak_banten, cipare
):
    """Only current displays of public products at this outlet get a label: not
    requests, ended or future displays, hidden products or other outlets."""
    today = timezone.localdate()
    shown = make_display(make_product(name="Sambal Roa"), iwak_banten)
    make_display(make_product(name="Kue Requested"), iwak_banten, status="requested")
    make_display(
        make_product(name="Kue Ended"),
        iwak_banten,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=1),
    )
    make_display(
        make_product(name="Kue Closed"),
        iwak_banten,
        status=Display.Status.ENDED,
        starts_on=today - datetime.timedelta(days=10),
    )
    make_display(
        make_product(name="Kue Future"),
        iwak_banten,
        starts_on=today + datetime.timedelta(days=1),
    )
    make_display(make_product(name="Kue Draft", status="draft"), iwak_banten)
    make_display(make_product(name="Kue Cipare"), cipare)
    client.force_login(disparpora_staff)

    response = client.get(labels_url(iwak_banten))

    assert [product for product, _qr in response.context["labels"]] == [shown.product]
    assert "Sambal Roa" in response.text
    assert "Kue" not in response.text
    assert qr_texts(response) == [
        f"http://testserver/l/{iwak_banten.pk}/{shown.product.pk}/"
    ]


def test_each_label_shows_name_business_price_and_a_qr_to_the_product(
    client, disparpora_staff, iwak_banten
):
    """A label shows the product, its business, the price in rupiah and the unit,
    and its QR code opens the product's public page."""
    product = make_product(name="Keripik Emping", price=25000, unit="pack 250 g")
    make_display(product, iwak_banten)
    client.force_login(disparpora_staff)

    response = client.get(labels_url(iwak_banten))

    assert "Keripik Emping" in response.text
    assert product.business.name in response.text
    assert "Rp 25.000" in response.text
    assert "pack 250 g" in response.text
    # A short address of the outlet and the product (counted as a scan, then the
    # product's page), shorter than the page's own: a smaller code.
    (scanned,) = qr_texts(response)
    assert scanned == f"http://testserver/l/{iwak_banten.pk}/{product.pk}/"
    assert len(scanned) < len(f"http://testserver{product.get_absolute_url()}")
    opened = Client().get(scanned)
    assert opened.status_code == 302
    assert opened["Location"] == product.get_absolute_url()
    assert 'alt="' in response.text.split("data:image/png")[1].split(">")[0]


def test_the_qr_code_encodes_the_url():
    """The QR function makes a PNG that decodes back to the URL."""
    uri = qr_data_uri("https://example.com/produk/sambal/")
    assert uri.startswith("data:image/png;base64,")
    assert decode(uri.removeprefix("data:image/png;base64,")) == (
        "https://example.com/produk/sambal/"
    )


def test_an_outlet_with_nothing_on_display_has_no_labels(
    client, disparpora_staff, iwak_banten
):
    """With nothing on display the sheet has no labels and no print button."""
    client.force_login(disparpora_staff)
    response = client.get(labels_url(iwak_banten))
    assert response.context["labels"] == []
    assert QR_SOURCES.findall(response.text) == []
    assert "data-print" not in response.text


def test_the_sheet_takes_a_bounded_number_of_queries(
    client, disparpora_staff, iwak_banten, django_assert_max_num_queries
):
    """Twenty labels take as few queries as one (the session, the user, the staff
    member's second-factor device, the labels)."""
    for _ in range(20):
        make_display(outlet=iwak_banten)
    client.force_login(disparpora_staff)

    with django_assert_max_num_queries(5):
        response = client.get(labels_url(iwak_banten))

    assert len(response.context["labels"]) == 20
    assert len(QR_SOURCES.findall(response.text)) == 20
