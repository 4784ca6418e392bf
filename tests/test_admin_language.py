"""The superuser's admin in Indonesian: historical models' names (django-simple-
history), permission names and django-axes strings, none left in English."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from accounts.models import User
from products.models import Product
from serang_umkm.admin_translations import permission_label, permission_name
from tests.admin_helpers import admin_url

pytestmark = pytest.mark.django_db


def page_text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_index_names_historical_models_in_indonesian(admin_client):
    """The superuser's admin home names history models ("Riwayat produk") and two-factor
    devices ("Kode cadangan") in Indonesian, with no English "Historical" or django-otp
    names."""
    text = page_text(admin_client.get("/admin/"))

    assert "Historical" not in text
    assert "historical" not in text.replace("/historical", "").replace(
        "-historical", ""
    )
    assert "Riwayat produk" in text
    # django-otp's sections and models, named by literals in the package.
    for english in ("Otp_Static", "Otp_Totp", "Static devices", "TOTP devices"):
        assert english not in text
    assert "Kode cadangan" in text


@pytest.mark.parametrize("owner", ["user", "group"])
def test_permission_widgets_name_permissions_in_indonesian(admin_client, owner):
    """The permission pickers on a user's and a group's page name every permission in
    Indonesian, django-axes' too, with no "Can add" or "Historical" left."""
    if owner == "user":
        url = admin_url(User, "change", User.objects.first().pk)
    else:
        url = admin_url(Group, "change", Group.objects.first().pk)
    text = page_text(admin_client.get(url))

    for english in ("Can add", "Can change", "Can delete", "Can view", "Historical"):
        assert english not in text
    assert "Dapat menambah produk" in text
    assert "Dapat melihat upaya akses" in text  # a django-axes model
    assert "kedaluwarsa upaya akses" in text  # a msgid axes' catalogue lacks


def test_a_permission_is_named_from_its_action_and_model():
    """A permission reads "Can add product" in English and "Dapat menambah produk" in
    Indonesian, made from its action and its model's name."""
    add_product = Permission.objects.get(codename="add_product")

    with translation.override("en"):
        assert permission_name(add_product) == "Can add product"
        assert permission_label(add_product).endswith("| product | Can add product")
    with translation.override("id"):
        assert permission_name(add_product) == "Dapat menambah produk"


def test_a_historical_models_name_follows_the_language():
    """A product's history is called "history of product" in English and "riwayat
    produk" in Indonesian."""
    historical = Product.history.model

    with translation.override("en"):
        assert str(historical._meta.verbose_name) == "history of product"
    with translation.override("id"):
        assert str(historical._meta.verbose_name) == "riwayat produk"


def test_axes_strings_missing_from_its_catalogue_are_translated():
    """django-axes strings its own catalogue leaves in English (the attempt expiration,
    the clean-up action) show in Indonesian."""
    # Variables, or makemessages adds them to the project's catalogue.
    missing = ["access attempt expiration", "Clean up expired attempts"]
    with translation.override("id"):
        for msgid in missing:
            assert translation.gettext(msgid) != msgid
