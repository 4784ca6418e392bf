"""Attacks on the account pages and what stops them: flooding inboxes through the
forms that send email, password spraying, taking over an account through its
confirmation link, the 500s a visitor can cause, HTML entities in plain-text
emails, and staff listing the accounts of other staff."""

import re
import socket
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import caches
from django.core.validators import validate_email
from django.test import Client
from django.urls import reverse

from accounts.models import OutgoingEmail, User
from products.models import Business
from serang_umkm import cache as fail_soft
from tests.admin_helpers import admin_url, make_verifier, rendered_form_data
from tests.factories import make_business, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

PASSWORD = "kerupuk-kulit-99"


def signup_data(**overrides):
    return {
        "full_name": "Siti Aminah",
        "email": "siti@example.com",
        "whatsapp": "0812 3456 7890",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def login(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def from_ip(number):
    return {"REMOTE_ADDR": f"36.80.0.{number}"}


def link_in(message):
    (url,) = re.findall(r"https?://\S+", message.body)
    return urlsplit(url).path


# Flooding an inbox or the mail server (rate limits)


def test_a_password_reset_flood_for_one_address_sends_three_emails(client):
    """Ten requests to reset one address, even from ten IP addresses, send three
    emails; the rest answer 429 with the address still in the form."""
    make_user(email="ani@example.com")

    statuses = [
        client.post(
            reverse("accounts:password_reset"),
            {"email": "Ani@Example.com"},
            **from_ip(number),
        ).status_code
        for number in range(10)
    ]

    assert statuses == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3
    refused = client.post(
        reverse("accounts:password_reset"), {"email": "Ani@Example.com"}
    )
    assert refused.status_code == 429
    assert "accounts/password_reset_form.html" in [t.name for t in refused.templates]
    assert 'value="Ani@Example.com"' in refused.text
    assert refused.context["form"].non_field_errors()
    assert len(mail.outbox) == 3


def test_a_password_reset_flood_from_one_ip_is_cut_at_ten(client):
    """One IP address asking for eleven addresses' resets gets ten."""
    emails = [make_user().email for _ in range(11)]

    statuses = [
        client.post(reverse("accounts:password_reset"), {"email": email}).status_code
        for email in emails
    ]

    assert statuses == [302] * 10 + [429]
    assert len(mail.outbox) == 10


def test_a_confirmation_resend_flood_for_one_address_sends_three_emails(client):
    """Asking again and again for a new confirmation link sends three."""
    make_user(email="waiting@example.com", is_active=False)

    statuses = [
        client.post(
            reverse("accounts:resend"), {"email": "waiting@example.com"}, **from_ip(n)
        ).status_code
        for n in range(10)
    ]

    assert statuses == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3


def test_a_confirmation_resend_flood_from_one_ip_is_cut_at_ten(client):
    """One IP address asking for new confirmation links for eleven waiting accounts gets
    ten; the eleventh is refused (429)."""
    emails = [make_user(is_active=False).email for _ in range(11)]

    statuses = [
        client.post(reverse("accounts:resend"), {"email": email}).status_code
        for email in emails
    ]

    assert statuses == [302] * 10 + [429]
    assert len(mail.outbox) == 10


def test_mass_sign_ups_from_one_ip_are_cut_at_ten_keeping_what_was_typed(client):
    """The eleventh sign-up from one IP address in an hour creates nothing, sends
    nothing, and shows the form again as typed (but the passwords) with 429."""
    statuses = [
        client.post(
            reverse("accounts:signup"), signup_data(email=f"bot{n}@example.com")
        ).status_code
        for n in range(10)
    ]
    assert statuses == [302] * 10

    refused = client.post(
        reverse("accounts:signup"), signup_data(email="siti@example.com")
    )

    assert refused.status_code == 429
    assert "accounts/signup.html" in [t.name for t in refused.templates]
    assert "accounts/base_account.html" in [t.name for t in refused.templates]
    assert 'value="Siti Aminah"' in refused.text
    assert 'value="siti@example.com"' in refused.text
    assert PASSWORD not in refused.text
    assert not User.objects.filter(email="siti@example.com").exists()
    assert len(mail.outbox) == 10


def test_signing_up_again_and_again_with_a_taken_address_emails_its_owner_three_times(
    client,
):
    """The sign-up form cannot be used to flood an owner with warnings."""
    make_user(email="siti@example.com")

    statuses = [
        client.post(reverse("accounts:signup"), signup_data(), **from_ip(n)).status_code
        for n in range(6)
    ]

    assert statuses == [302] * 3 + [429] * 3
    assert len(mail.outbox) == 3


def test_password_spraying_from_one_ip_is_stopped_after_twenty_failures(client):
    """One wrong guess on each of thirty accounts from one IP address: after twenty
    failures the IP address is refused (429), even with a right password, before
    any password is checked. An owner elsewhere still signs in."""
    accounts = [make_user(password=PASSWORD).email for _ in range(30)]
    statuses = [login(client, email, "Password123").status_code for email in accounts]

    assert statuses == [200] * 20 + [429] * 10
    refused = login(client, accounts[0], PASSWORD)
    assert refused.status_code == 429
    assert f'value="{accounts[0]}"' in refused.text
    assert refused.context["form"].non_field_errors()
    assert client.session.get(SESSION_KEY) is None

    make_user(email="ani@example.com", password=PASSWORD)
    elsewhere = Client()
    response = login(elsewhere, "ani@example.com", PASSWORD, **from_ip(9))
    assert response["Location"] == "/dasbor/"


def test_a_sprayer_cannot_reset_the_count_by_signing_in_to_their_own_account(client):
    """A successful sign-in (which resets django-axes' count) does not reset the
    count of failures of the IP address."""
    make_user(email="sprayer@example.com", password=PASSWORD)
    targets = [make_user().email for _ in range(21)]
    for email in targets[:19]:
        login(client, email, "Password123")

    assert login(client, "sprayer@example.com", PASSWORD)["Location"] == "/dasbor/"
    client.post(reverse("accounts:logout"))

    assert login(client, targets[19], "Password123").status_code == 200
    assert login(client, targets[20], "Password123").status_code == 429


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_down(settings, monkeypatch):
    """The fail-soft Redis cache of production, pointing at a port nobody listens
    on (Redis is down)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "serang_umkm.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    monkeypatch.setattr(fail_soft, "RETRY_SECONDS", 0)
    monkeypatch.setattr(fail_soft, "_outages", {})
    assert isinstance(caches["default"], fail_soft.FailSoftRedisCache)


@pytest.mark.usefixtures("cache_down")
def test_the_limits_fail_open_while_the_cache_is_down(client):
    """With Redis down nothing answers 500: the limits let requests through, and
    the lockout of django-axes (in the database) still holds."""
    make_user(email="ani@example.com", password=PASSWORD)
    make_user(email="waiting@example.com", is_active=False)

    resets = [
        client.post(
            reverse("accounts:password_reset"), {"email": "ani@example.com"}
        ).status_code
        for _ in range(5)
    ]
    resends = [
        client.post(
            reverse("accounts:resend"), {"email": "waiting@example.com"}
        ).status_code
        for _ in range(5)
    ]
    signup = client.post(reverse("accounts:signup"), signup_data())
    guesses = [login(client, "ani@example.com", "wrong").status_code for _ in range(5)]

    assert resets == [302] * 5
    assert resends == [302] * 5
    assert signup.status_code == 302
    assert len(mail.outbox) == 11
    assert guesses == [200, 200, 200, 200, 429]


# Taking over an account through its confirmation link


def test_a_mail_scanner_opening_the_confirmation_link_activates_nothing(client):
    """A scanner (or a preview) that GETs the link, even repeatedly, changes
    nothing and signs nobody in; the link still works for the owner."""
    client.post(reverse("accounts:signup"), signup_data())
    link = link_in(mail.outbox[0])
    scanner = Client()

    for _ in range(3):
        assert scanner.get(link).status_code == 200

    assert User.objects.get(email="siti@example.com").is_active is False
    assert scanner.session.get(SESSION_KEY) is None
    assert client.post(link, {"password": PASSWORD})["Location"] == "/dasbor/"


def test_a_squatter_does_not_get_the_account_when_the_owner_confirms(
    client, django_capture_on_commit_callbacks
):
    """Someone signs up with Siti's address and a password of their own. Siti's
    link alone confirms nothing: it asks for the password chosen at sign-up, which
    she does not know. She signs up again, which replaces the pending account;
    her new link, with her password, confirms it, and the squatter's password no
    longer opens it."""
    squatter = client
    squatter.post(
        reverse("accounts:signup"),
        signup_data(
            full_name="Penyusup",
            whatsapp="0813 9999 0000",
            password1="sandi-penyusup-77",
            password2="sandi-penyusup-77",
        ),
    )
    first_link = link_in(mail.outbox[0])
    siti = Client()

    refused = siti.post(first_link, {"password": PASSWORD})

    assert refused.status_code == 200
    assert refused.context["form"].has_error("password", "wrong_password")
    assert User.objects.get(email="siti@example.com").is_active is False

    with django_capture_on_commit_callbacks(execute=True):  # her email goes out
        siti.post(reverse("accounts:signup"), signup_data())
    new_link = link_in(mail.outbox[-1])
    assert new_link != first_link
    assert (
        squatter.post(first_link, {"password": "sandi-penyusup-77"}).status_code == 200
    )
    assert User.objects.get(email="siti@example.com").is_active is False

    assert siti.post(new_link, {"password": PASSWORD})["Location"] == "/dasbor/"
    owner = User.objects.get(email="siti@example.com")
    assert owner.is_active is True
    assert owner.full_name == "Siti Aminah"
    assert owner.check_password(PASSWORD)
    assert not owner.check_password("sandi-penyusup-77")
    assert squatter.session.get(SESSION_KEY) is None


def test_confirming_needs_the_csrf_token(client):
    """The button is a real form: a cross-site POST is refused."""
    client.post(reverse("accounts:signup"), signup_data())
    link = link_in(mail.outbox[0])
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(link).status_code == 403
    assert User.objects.get(email="siti@example.com").is_active is False

    page = strict.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert (
        strict.post(
            link, {"csrfmiddlewaretoken": token[1], "password": PASSWORD}
        ).status_code
        == 302
    )
    assert User.objects.get(email="siti@example.com").is_active is True


def test_a_confirmation_link_works_once(client):
    """A confirmation link that has confirmed an account, used again, shows the page
    saying the link is not valid."""
    client.post(reverse("accounts:signup"), signup_data())
    link = link_in(mail.outbox[0])

    assert client.post(link, {"password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    again = client.post(link, {"password": PASSWORD})

    assert again.status_code == 200
    assert "accounts/confirm_invalid.html" in [t.name for t in again.templates]


# 500s anyone can cause


def long_email():
    """A valid address longer than django-axes' 255-character username column."""
    address = "s" * 64 + "@" + ".".join(["b" * 63] * 3) + ".id"
    validate_email(address)
    assert 256 <= len(address) <= 320
    return address


def test_signing_in_with_a_300_character_address_is_refused_not_a_500(client):
    """The sign-in form refuses an address longer than 254 characters with a clear
    error; nothing too long reaches django-axes (a 500 on PostgreSQL, where its
    username column holds 255: run this module there too)."""
    response = login(client, long_email(), "wrong")

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert "254" in str(response.context["form"].errors["username"])


def test_django_axes_never_stores_more_than_255_characters(rf):
    """Whatever calls authenticate() (the admin, a bad client), the username axes
    records is cut to its column."""
    from axes.helpers import get_client_username

    request = rf.post("/", {"username": long_email()})

    assert len(get_client_username(request, {"username": long_email()})) == 255
    assert len(get_client_username(request)) == 255


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "999.999.1.1", "1.2.3.4, garbage", "1.2.3.4,"]
)
def test_a_forged_x_forwarded_for_on_a_failed_sign_in_is_not_a_500(
    client, settings, forwarded
):
    """Behind the load balancer, a hop that is not an IP address falls back to the
    connection's address (a 500 on PostgreSQL before, in axes' IP column)."""
    settings.TRUSTED_PROXIES = 1
    make_user(email="ani@example.com", password=PASSWORD)

    response = login(
        client,
        "ani@example.com",
        "wrong",
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR="10.0.0.1",
    )

    assert response.status_code == 200
    expected = "10.0.0.1" if forwarded != "1.2.3.4," else "1.2.3.4"
    assert AccessAttempt.objects.get().ip_address == expected


def test_a_real_forwarded_address_is_still_used(rf, settings):
    """Behind the load balancer, a visitor's genuine forwarded address (IPv6 too) is
    taken as theirs, not the balancer's."""
    from accounts.views import client_ip

    settings.TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="2001:db8::1", REMOTE_ADDR="10.0.0.1")

    assert client_ip(request) == "2001:db8::1"


# Plain-text emails


def test_a_business_named_with_html_characters_is_emailed_literally(
    admin_client, django_capture_on_commit_callbacks
):
    """A business named "Kopi & Teh <Bu Siti>" is verified: the queued subject and
    the plain-text body say so, not "Kopi &amp; Teh &lt;Bu Siti&gt;" (the outbox
    empties a body once it is sent, so the body is read from the sent email)."""
    name = "Kopi & Teh <Bu Siti>"
    business = make_business(name=name, status=Business.Status.PENDING)
    url = admin_url(Business, "change", business.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {**rendered_form_data(admin_client.get(url)), "status": "verified"}
        )

    assert response.status_code == 302
    queued = OutgoingEmail.objects.get(recipient=business.owner)
    (sent,) = mail.outbox
    assert name in queued.subject
    assert name in sent.subject
    assert name in sent.body
    assert "&amp;" not in sent.subject + sent.body


def test_account_emails_keep_the_site_name_literally(client, settings):
    """A site name with "<", ">" and "&" reads as typed in the subject and body of the
    password-reset, confirmation and address-taken emails, never as HTML entities."""
    settings.SITE_NAME = "Gerai UMKM <Serang> & Co"
    make_user(email="ani@example.com")

    client.post(reverse("accounts:password_reset"), {"email": "ani@example.com"})
    client.post(reverse("accounts:signup"), signup_data())
    client.post(reverse("accounts:signup"), signup_data(email="ani@example.com"))

    assert len(mail.outbox) == 3
    for email in mail.outbox:
        assert "Gerai UMKM <Serang> & Co" in email.subject
        assert "Gerai UMKM <Serang> & Co" in email.body
        assert "&amp;" not in email.subject + email.body


# Staff listing other staff's accounts


@pytest.fixture
def verifier(client):
    user = make_verifier()
    client.force_login(user)
    return user


def autocomplete(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "products",
            "model_name": "business",
            "field_name": "owner",
            "term": term,
        },
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


def test_a_verifikator_finds_owners_but_not_staff_in_the_owner_autocomplete(
    client, verifier, django_capture_on_commit_callbacks
):
    """The hand-over still works: the owner is found and chosen. Staff, superusers
    and inactive accounts are not offered, nor accepted when forged."""
    owner = make_user(email="romlah@serang.go.id", full_name="Romlah")
    staff = make_user(email="staf@serang.go.id", is_staff=True)
    boss = User.objects.create_superuser(email="admin@serang.go.id", password="x")
    blocked = make_user(email="blok@serang.go.id", is_active=False)

    assert autocomplete(client, "serang.go.id") == {owner.pk}
    assert autocomplete(client, "staf") == set()

    business = make_business(owner=None, assisted_registration=True)
    url = admin_url(Business, "change", business.pk)
    data = rendered_form_data(client.get(url))
    for forged in (staff, boss, blocked):
        assert client.post(url, {**data, "owner": forged.pk}).status_code == 200
    business.refresh_from_db()
    assert business.owner is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "owner": owner.pk})

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.owner == owner


def test_a_verifikator_cannot_list_or_open_staff_accounts(client, verifier):
    """A Verifikator listing accounts in the admin sees owners only; the pages and
    history of other staff, superusers and their own account answer 404."""
    owner = make_user(email="romlah@example.com")
    staff = make_user(email="staf@example.com", is_staff=True)
    boss = User.objects.create_superuser(email="admin@example.com", password="x")

    listing = client.get(admin_url(User, "changelist"))

    assert listing.status_code == 200
    shown = set(listing.context["cl"].result_list)
    assert shown == {owner}
    assert "staf@example.com" not in listing.text
    assert client.get(admin_url(User, "change", owner.pk)).status_code == 200
    for hidden in (staff, boss, verifier):
        assert client.get(admin_url(User, "change", hidden.pk)).status_code == 404
        assert client.get(admin_url(User, "history", hidden.pk)).status_code == 404
    assert client.get(admin_url(User, "change", 999999)).status_code == 404


def test_a_superuser_still_sees_every_account(admin_client):
    """A superuser sees staff accounts in the list, opens them, and finds them in the
    owner autocomplete."""
    staff = make_user(email="staf@example.com", is_staff=True)

    listing = admin_client.get(admin_url(User, "changelist"))

    assert staff in listing.context["cl"].result_list
    assert admin_client.get(admin_url(User, "change", staff.pk)).status_code == 200
    assert autocomplete(admin_client, "staf") == {staff.pk}
