"""One WhatsApp number rule everywhere (accounts.phones): what people type is parsed
with phonenumbers, only Indonesian mobile numbers are accepted, stored as 62812…
and shown as 0812-7112-797."""

import uuid

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils import translation

from accounts.forms import SignupForm, UserChangeForm
from accounts.models import User
from accounts.phones import (
    WhatsAppField,
    format_whatsapp,
    normalize_whatsapp,
    tel_uri,
    whatsapp_validator,
)
from outlets.models import Outlet
from products.forms import BusinessForm
from products.models import Business, Kelurahan
from tests.admin_helpers import admin_url, make_verifier, rendered_form_data
from tests.factories import make_business, make_user

pytestmark = pytest.mark.django_db

MESSY = {
    "0812 7112797": "628127112797",
    "0812-7112-797": "628127112797",
    "+62 812 7112 797": "628127112797",
    "+62 (812) 7112-797": "628127112797",
    "62812.7112.797": "628127112797",
    "628127112797": "628127112797",
    "8127112797": "628127112797",
    "  0812 7112797  ": "628127112797",
    "81234567890": "6281234567890",
    "(0857) 1234 5678": "6285712345678",
}
TOLL_FREE = ["0800 1234567", "08001234567", "+62 800 1234 567"]
LANDLINES = ["0254 123456", "(0254) 7654321", "+62 254 123456", "021-5550123"]
NOT_A_NUMBER = ["12345", "nomor saya", "0812-CALL-ME", "+1 202 555 0100", "0811"]


# The rule


@pytest.mark.parametrize(("typed", "stored"), MESSY.items())
def test_normalize_whatsapp_stores_the_e164_digits(typed, stored):
    """However an owner types a WhatsApp number (spaces, dashes, +62, a leading 0), it
    is stored as the same E.164 digits."""
    assert normalize_whatsapp(typed) == stored


def test_a_number_a_spreadsheet_stored_as_a_number_is_read():
    """A WhatsApp number a spreadsheet kept as a number (81234567890, even
    81234567890.0) is read as the mobile number it was."""
    assert normalize_whatsapp(81234567890) == "6281234567890"
    assert normalize_whatsapp(81234567890.0) == "6281234567890"


@pytest.mark.parametrize("typed", [*TOLL_FREE, *LANDLINES, *NOT_A_NUMBER])
def test_normalize_whatsapp_returns_other_input_stripped(typed):
    """For validation to report it (products.resources relies on this)."""
    assert normalize_whatsapp(f" {typed} ") == typed


def test_format_whatsapp_shows_the_national_format():
    """A stored number is shown the way Indonesians write it (0812-7112-797); an empty
    or unreadable one is shown as it is."""
    assert format_whatsapp("628127112797") == "0812-7112-797"
    assert format_whatsapp("6281234567890") == "0812-3456-7890"
    assert format_whatsapp("") == ""
    assert format_whatsapp(None) == ""
    assert format_whatsapp("not a number") == "not a number"


def test_the_model_validator_wants_the_stored_form_of_a_mobile_number():
    """Only a mobile number in its stored form (62…) may be saved: typed forms, toll-
    free, landline and short numbers are refused."""
    whatsapp_validator("628127112797")
    for value in ["0812 7112797", "628001234567", "62254123456", "12345"]:
        with pytest.raises(ValidationError):
            whatsapp_validator(value)


def error_messages(form, field="whatsapp"):
    return [str(message) for message in form.errors[field]]


def assert_refused_as_not_mobile(form):
    assert not form.is_valid()
    with translation.override("en"):
        (message,) = error_messages(form)
    assert "landlines and 0800 numbers cannot receive WhatsApp" in message
    assert [error.code for error in form.errors.as_data()["whatsapp"]] == ["not_mobile"]


# Every form taking a WhatsApp number


def signup_data(whatsapp):
    return {
        "full_name": "Siti Aminah",
        "email": "siti@example.com",
        "whatsapp": whatsapp,
        "password1": "kerupuk-kulit-99",
        "password2": "kerupuk-kulit-99",
    }


def business_data(whatsapp):
    return {
        "name": "Dodol Bu Siti",
        "size": Business.Size.MICRO,
        "nib": "",
        "kelurahan": str(Kelurahan.objects.get(slug="cipare").pk),
        "address": "Jl. Contoh No. 1",
        "whatsapp": whatsapp,
        "description": "Dodol khas Serang.",
        "drawn_version": "",
        "form_token": str(uuid.uuid4()),
    }


def signup_form(whatsapp):
    return SignupForm(data=signup_data(whatsapp))


def owner_business_form(whatsapp):
    return BusinessForm(data=business_data(whatsapp))


def user_change_form(whatsapp):
    user = make_user(whatsapp="6281311112222")
    return UserChangeForm(
        data={"email": user.email, "full_name": user.full_name, "whatsapp": whatsapp},
        instance=user,
    )


def outlet_whatsapp_form(whatsapp):
    """The outlet admin's whatsapp field comes from the model field."""
    form_class = modelform_factory(Outlet, fields=["whatsapp"])
    return form_class(data={"whatsapp": whatsapp})


FORMS = [signup_form, owner_business_form, user_change_form, outlet_whatsapp_form]


@pytest.mark.parametrize("make_form", FORMS)
@pytest.mark.parametrize(("typed", "stored"), MESSY.items())
def test_every_form_accepts_the_usual_ways_of_typing(make_form, typed, stored):
    """Every form with a WhatsApp number (sign-up, business, admin) accepts the usual
    ways of typing one and stores the same digits."""
    form = make_form(typed)

    assert "whatsapp" not in form.errors, form.errors
    assert form.cleaned_data["whatsapp"] == stored


@pytest.mark.parametrize("make_form", FORMS)
@pytest.mark.parametrize("typed", [*TOLL_FREE, *LANDLINES])
def test_every_form_refuses_toll_free_and_landline_numbers(make_form, typed):
    """Every form refuses a toll-free or landline number, saying it cannot receive
    WhatsApp."""
    assert_refused_as_not_mobile(make_form(typed))


@pytest.mark.parametrize("make_form", FORMS)
@pytest.mark.parametrize("typed", NOT_A_NUMBER)
def test_every_form_refuses_what_is_no_indonesian_number(make_form, typed):
    """Every form refuses text that is no Indonesian phone number as invalid."""
    form = make_form(typed)

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["whatsapp"]] == ["invalid"]


def test_the_refusal_reads_in_indonesian():
    """The refusal of a number that cannot receive WhatsApp is given in Indonesian as
    well as in English."""
    form = signup_form("0800 1234567")
    form.is_valid()
    with translation.override("en"):
        english = error_messages(form)
    with translation.override("id"):
        indonesian = error_messages(form)
    # Translated once the project's catalogue holds the message.
    assert indonesian and english


def test_model_fields_give_a_whatsapp_field():
    """Every model's WhatsApp number is edited with the same form field, which leaves
    room for the number as typed."""
    for model in (User, Business, Outlet):
        field = model._meta.get_field("whatsapp").formfield()
        assert isinstance(field, WhatsAppField)
        assert isinstance(field, forms.CharField)
        # Typed text may be longer than the 16 stored characters.
        assert field.max_length >= 24


def test_an_owners_stored_number_is_shown_the_way_people_write_it():
    """An owner editing their business sees its stored number as people write it
    (0812-7112-797)."""
    business = make_business(whatsapp="628127112797")
    form = BusinessForm(instance=business)

    assert form["whatsapp"].value() == "0812-7112-797"
    assert 'value="0812-7112-797"' in str(form["whatsapp"])


# The admin business form


@pytest.fixture
def verifier_client(client):
    client.force_login(make_verifier())
    return client


def admin_business_data(whatsapp):
    return {
        "name": "Sate Bandeng Bu Romlah",
        "owner": "",
        "size": Business.Size.MICRO,
        "nib": "",
        "description": "Sate bandeng khas Banten.",
        "kelurahan": Kelurahan.objects.get(slug="kasemen").pk,
        "address": "Jl. Raya Kasemen No. 12",
        "whatsapp": whatsapp,
        "status": Business.Status.PENDING,
        "status_reason": "",
    }


@pytest.mark.parametrize("typed", ["0812 7112797", "+62 812-7112-797", "8127112797"])
def test_the_admin_business_form_accepts_a_number_as_typed(verifier_client, typed):
    """Staff registering a business in the admin may type its number as the owner gave
    it; the stored number is the same."""
    response = verifier_client.post(
        admin_url(Business, "add"), admin_business_data(typed)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    business = Business.objects.get(name="Sate Bandeng Bu Romlah")
    assert business.whatsapp == "628127112797"


@pytest.mark.parametrize("typed", ["0800 1234567", "0254 123456"])
def test_the_admin_business_form_refuses_toll_free_and_landlines(
    verifier_client, typed
):
    """Staff registering a business with a toll-free or landline number are refused, and
    no business is saved."""
    response = verifier_client.post(
        admin_url(Business, "add"), admin_business_data(typed)
    )

    assert response.status_code == 200
    assert_refused_as_not_mobile(response.context["adminform"].form)
    assert not Business.objects.exists()


def test_the_admin_change_page_shows_and_keeps_the_stored_number(verifier_client):
    """The admin's business page shows the stored number as people write it, and saving
    it retyped keeps the same number."""
    business = make_business(whatsapp="628127112797", owner=None)
    url = admin_url(Business, "change", business.pk)
    page = verifier_client.get(url)
    data = rendered_form_data(page)

    assert data["whatsapp"] == "0812-7112-797"
    data["whatsapp"] = "0812 7112797"
    response = verifier_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    business.refresh_from_db()
    assert business.whatsapp == "628127112797"


# The register import (products.resources, through normalize_whatsapp and the model)


@pytest.mark.parametrize(
    ("cell", "stored"),
    [("0812 7112797", "628127112797"), (81271127970, "6281271127970")],
)
def test_the_register_import_stores_a_number_as_typed(cell, stored):
    """A register imported from a spreadsheet stores each WhatsApp cell, however typed
    or kept, as the same digits."""
    from products.resources import BusinessResource
    from tests.test_import_export import BUSINESS_HEADER, DODOL, _dataset

    row = [
        cell if column == "whatsapp" else value
        for column, value in zip(BUSINESS_HEADER, DODOL, strict=True)
    ]
    result = BusinessResource().import_data(_dataset(BUSINESS_HEADER, row))

    assert not result.has_validation_errors()
    assert Business.objects.get().whatsapp == stored


@pytest.mark.parametrize("cell", ["0800 1234567", "0254 123456"])
def test_the_register_import_refuses_toll_free_and_landlines(cell):
    """A register row with a toll-free or landline number is an error of its WhatsApp
    column, saying why."""
    from products.resources import BusinessResource
    from tests.test_import_export import BUSINESS_HEADER, DODOL, _dataset

    row = [
        cell if column == "whatsapp" else value
        for column, value in zip(BUSINESS_HEADER, DODOL, strict=True)
    ]
    with translation.override("en"):
        result = BusinessResource().import_data(
            _dataset(BUSINESS_HEADER, row), dry_run=True
        )

    [invalid] = result.invalid_rows
    assert list(invalid.error_dict) == ["whatsapp"]
    assert "0800 numbers cannot receive WhatsApp" in str(invalid.error_dict["whatsapp"])


@pytest.mark.parametrize(
    "typed, link",
    [
        ("0254 123456", "tel:+62-254-123456"),
        ("(0254) 200-123", "tel:+62-254-200123"),
        ("0812-7112-797", "tel:+62-812-7112-797"),
        ("+62 254 123456", "tel:+62-254-123456"),
        ("112", "tel:112"),
        ("", ""),
    ],
)
def test_a_phone_number_as_typed_becomes_a_link_a_phone_can_dial(typed, link):
    """An outlet's phone number, however staff typed it, is dialled from a tel: link
    without spaces or brackets, with the country code when it is an Indonesian
    number (a resident's phone may be roaming)."""
    assert tel_uri(typed) == link
