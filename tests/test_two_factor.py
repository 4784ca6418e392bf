"""Staff reach the admin with a password and a second factor: a code of their
authenticator app (TOTP) or a single-use recovery code; their sessions are short."""

import io
import time

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import new_recovery_codes
from tests.admin_helpers import make_verifier
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]

PASSWORD = "verifikator-serang-2026"


def app_code(device):
    """The code the staff member's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def admin_sign_in(client, email, password=PASSWORD, code=""):
    return client.post(
        reverse("admin:login"),
        {
            "username": email,
            "password": password,
            "otp_token": code,
            "next": reverse("admin:index"),
        },
    )


@pytest.fixture
def verifier():
    user = make_verifier()
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_password_alone_does_not_open_the_admin(client, verifier):
    """A stolen password is not enough: without a code the admin refuses."""
    response = admin_sign_in(client, verifier.email)

    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "token_required")
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_staff_member_sets_up_the_app_and_gets_recovery_codes(client, verifier):
    """Signed in with the password, the staff member scans the key, confirms it
    with the app's first code, and is shown ten recovery codes; the admin opens."""
    client.force_login(verifier)
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200
    assert setup.context["qr_code"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=verifier, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    time.sleep(1.1)  # after a wrong code django-otp accepts the next one a second on
    confirmed = client.post(
        reverse("accounts:two_factor_setup"), {"code": app_code(device)}
    )

    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10
    assert all(code in confirmed.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_opens_with_the_password_and_the_apps_code(client, verifier):
    """A Verifikator with their password and the code their authenticator app shows
    signs in and opens the admin."""
    device = TOTPDevice.objects.create(user=verifier, name="app", confirmed=True)

    response = admin_sign_in(client, verifier.email, code=app_code(device))

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_works_once(client, verifier):
    """The phone is lost: a recovery code opens the admin, and only once."""
    TOTPDevice.objects.create(user=verifier, name="app", confirmed=True)
    code = new_recovery_codes(verifier)[0]

    assert admin_sign_in(client, verifier.email, code=code).status_code == 302
    client.logout()
    again = admin_sign_in(client, verifier.email, code=code)

    assert again.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302
    assert not StaticToken.objects.filter(token=code).exists()


def test_another_staff_members_code_does_not_open_the_admin(client, verifier):
    """A code of someone else's app is no second factor for this account."""
    colleague = make_verifier()
    device = TOTPDevice.objects.create(user=colleague, name="app", confirmed=True)
    TOTPDevice.objects.create(user=verifier, name="app", confirmed=True)

    response = admin_sign_in(client, verifier.email, code=app_code(device))

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_sessions_end_after_a_working_day(client, verifier, settings):
    """A Verifikator's session, once signed in with a second factor, ends after at most
    eight hours."""
    device = TOTPDevice.objects.create(user=verifier, name="app", confirmed=True)

    admin_sign_in(client, verifier.email, code=app_code(device))

    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS
    assert settings.STAFF_SESSION_SECONDS <= 8 * 60 * 60


def test_owners_keep_the_longer_session_and_have_no_setup_page(client, settings):
    """An owner keeps the site's usual session length and is refused the two-factor
    setup page (403)."""
    owner = make_user()
    client.force_login(owner)

    assert client.get(reverse("accounts:two_factor_setup")).status_code == 403
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_newcomer_reaches_the_admin_with_what_seed_demo_prints(client):
    """`make run` seeds the demo: the superuser's password and a recovery code it
    prints open the admin in one step."""
    output = io.StringIO()
    call_command("seed_demo", "--businesses", "0", "--force", stdout=output)
    printed = output.getvalue()
    line = next(
        line
        for line in printed.splitlines()[::-1]
        if line.strip().startswith("admin@demo.gerai-umkm.test")
    )
    email, code = line.split()[:2]

    response = admin_sign_in(client, email, password="serang-demo-2026", code=code)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
