"""UMKM owners sign up, confirm their email, sign in and out, and recover or change
their password; repeated wrong passwords are locked out by django-axes."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from accounts.forms import SignupForm
from accounts.models import User
from accounts.two_factor import new_recovery_codes
from accounts.views import EmailConfirmationTokenGenerator, email_confirmation_token
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

PASSWORD = "kerupuk-kulit-99"


def signup_data(**overrides):
    data = {
        "full_name": "Siti Aminah",
        "email": "siti@example.com",
        "whatsapp": "+62 812-3456-7890",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def link_in(message):
    """The path of the only link in an email's text body."""
    (url,) = re.findall(r"https?://\S+", message.body)
    return urlsplit(url).path


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def login(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def form_error_codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data()[field]]


# Sign-up form


@pytest.mark.parametrize(
    "typed", ["0812 3456 7890", "+62 812-3456-7890", "6281234567890", "812-3456-7890"]
)
def test_signup_form_stores_whatsapp_in_international_form(typed):
    """Whichever usual form the number is typed in, it is kept as 62812…."""
    form = SignupForm(data=signup_data(whatsapp=typed))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["whatsapp"] == "6281234567890"


@pytest.mark.parametrize("typed", ["12345", "0254 123456", "nomor saya", ""])
def test_signup_form_rejects_what_is_not_an_indonesian_mobile_number(typed):
    """Landlines, short numbers, words and an empty box are refused."""
    form = SignupForm(data=signup_data(whatsapp=typed))

    assert not form.is_valid()
    assert "whatsapp" in form.errors


def test_signup_form_applies_the_password_validators():
    """A common, all-digit or mismatched password is refused on the second box."""
    assert "password2" in SignupForm(data=signup_data(password2="other-pass")).errors
    common = SignupForm(data=signup_data(password1="12345678", password2="12345678"))
    assert "password2" in common.errors


def test_signup_form_has_the_autocomplete_hints_phones_use():
    """Browsers and phones can fill in the name, email and number, and suggest a
    new password; the number gets the phone keypad."""
    form = SignupForm()
    attrs = {name: field.widget.attrs for name, field in form.fields.items()}

    assert attrs["full_name"]["autocomplete"] == "name"
    assert attrs["email"]["autocomplete"] == "email"
    assert attrs["whatsapp"]["autocomplete"] == "tel"
    assert attrs["whatsapp"]["inputmode"] == "tel"
    assert attrs["password1"]["autocomplete"] == "new-password"
    assert attrs["password2"]["autocomplete"] == "new-password"


# Sign-up and confirmation


def test_signup_creates_an_inactive_account_and_emails_a_confirmation_link(client):
    """Signing up makes an inactive account with the number in international form
    and sends one email, in text and HTML, with the confirmation link."""
    response = client.post(reverse("accounts:signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:confirmation_sent")
    user = User.objects.get(email="siti@example.com")
    assert user.is_active is False
    assert user.full_name == "Siti Aminah"
    assert user.whatsapp == "6281234567890"
    assert user.check_password(PASSWORD)
    assert signed_in_user_id(client) is None
    (message,) = mail.outbox
    assert message.to == ["siti@example.com"]
    assert link_in(message).startswith("/akun/konfirmasi/")
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert link_in(message) in html
    assert "\n" not in message.subject


def test_the_confirmation_link_asks_for_the_password_and_works_once(client):
    """Opening the link shows a form (posting back to the link) asking for the
    password chosen at sign-up, and changes nothing; with the right password the
    account becomes active and its owner is signed in. The link then works no
    more."""
    client.post(reverse("accounts:signup"), signup_data())
    link = link_in(mail.outbox[0])

    page = client.get(link)

    assert page.status_code == 200
    assert "accounts/confirm_email.html" in [t.name for t in page.templates]
    assert 'method="post"' in page.text
    assert 'name="password"' in page.text
    assert User.objects.get(email="siti@example.com").is_active is False

    response = client.post(link, {"password": PASSWORD}, follow=True)

    user = User.objects.get(email="siti@example.com")
    assert response.redirect_chain == [("/dasbor/", 302)]
    assert user.is_active is True
    assert signed_in_user_id(client) == str(user.pk)
    assert [str(m) for m in response.context["messages"]] == [
        gettext("Thank you, your email address is confirmed. Welcome!")
    ]

    client.post(reverse("accounts:logout"))
    for again in [client.get(link), client.post(link, {"password": PASSWORD})]:
        assert again.status_code == 200
        assert "accounts/confirm_invalid.html" in [t.name for t in again.templates]
    assert signed_in_user_id(client) is None


def test_an_expired_confirmation_link_is_refused_and_offers_a_new_one(
    client, monkeypatch
):
    """Three days after sign-up the link no longer works: the page offers a new
    link and the account stays inactive."""
    client.post(reverse("accounts:signup"), signup_data())
    link = link_in(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(days=3, minutes=1)
    monkeypatch.setattr(EmailConfirmationTokenGenerator, "_now", lambda self: later)

    for response in [client.get(link), client.post(link)]:
        assert response.status_code == 200
        assert "accounts/confirm_invalid.html" in [t.name for t in response.templates]
        assert reverse("accounts:resend") in response.text
    assert User.objects.get(email="siti@example.com").is_active is False
    assert signed_in_user_id(client) is None


def test_a_confirmation_link_still_works_just_before_three_days(client, monkeypatch):
    """The link is valid for the whole three days."""
    client.post(reverse("accounts:signup"), signup_data())
    link = link_in(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(days=3, minutes=-1)
    monkeypatch.setattr(EmailConfirmationTokenGenerator, "_now", lambda self: later)

    response = client.post(link, {"password": PASSWORD})

    assert response["Location"] == "/dasbor/"
    assert User.objects.get(email="siti@example.com").is_active is True


@pytest.mark.parametrize(
    "mangle",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),
        lambda uid, token: ("eHh4", token),
        lambda uid, token: ("!!!", token),
        lambda uid, token: (uid, "not-a-token"),
    ],
    ids=["altered-token", "unknown-user", "garbage-uid", "garbage-token"],
)
def test_an_altered_confirmation_link_is_refused(client, mangle):
    """A link with a changed token or user id shows the invalid-link page."""
    client.post(reverse("accounts:signup"), signup_data())
    _, _, _, uid, token, _ = link_in(mail.outbox[0]).split("/")
    uid, token = mangle(uid, token)
    link = reverse("accounts:confirm", kwargs={"uidb64": uid, "token": token})

    for response in [client.get(link), client.post(link)]:
        assert response.status_code == 200
        assert reverse("accounts:resend") in response.text
    assert User.objects.get(email="siti@example.com").is_active is False


def test_a_blocked_account_cannot_reactivate_itself_with_a_link(client):
    """An account that signed in before and was then deactivated by staff gets no
    confirmation link, and a link made for it does not reactivate it."""
    user = make_user(
        email="blocked@example.com",
        is_active=False,
        last_login=datetime.datetime.now(datetime.UTC),
    )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)

    client.post(reverse("accounts:resend"), {"email": "blocked@example.com"})
    response = client.post(
        reverse("accounts:confirm", kwargs={"uidb64": uid, "token": token})
    )

    assert mail.outbox == []
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active is False


def test_signing_up_with_a_taken_email_does_not_reveal_the_account(client):
    """Account enumeration: an address already used (in any letter case) gets the
    same redirect and message as a new one; nothing is created, and the address's
    owner is emailed that someone tried, with links to sign in or reset."""
    owner = make_user(email="siti@example.com", full_name="Siti Aminah")

    def sign_up(email):
        response = client.post(
            reverse("accounts:signup"), signup_data(email=email), follow=True
        )
        shown = [
            str(m).replace(email.lower(), "…") for m in response.context["messages"]
        ]
        return response.redirect_chain, shown

    assert sign_up("Siti@Example.com") == sign_up("new@example.com")
    assert set(User.objects.values_list("email", flat=True)) == {
        "siti@example.com",
        "new@example.com",
    }
    owner.refresh_from_db()
    assert owner.full_name == "Siti Aminah"
    warning, confirmation = mail.outbox
    assert warning.to == ["siti@example.com"]
    assert reverse("accounts:login") in warning.body
    assert reverse("accounts:password_reset") in warning.body
    assert "/konfirmasi/" not in warning.body
    assert warning.alternatives[0][1] == "text/html"
    assert confirmation.to == ["new@example.com"]


def test_a_taken_email_with_another_error_keeps_what_was_typed(client):
    """A real error (the number) is shown with what was typed kept, and says
    nothing about the address being taken."""
    make_user(email="siti@example.com")

    response = client.post(
        reverse("accounts:signup"),
        signup_data(email="Siti@Example.com", whatsapp="12345"),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"whatsapp"}
    assert 'value="Siti Aminah"' in response.text
    assert 'value="Siti@Example.com"' in response.text
    assert PASSWORD not in response.text
    assert mail.outbox == []


def test_signing_up_with_a_wrong_number_is_an_error_on_the_number(client):
    """A number that is not an Indonesian mobile number creates nothing."""
    response = client.post(reverse("accounts:signup"), signup_data(whatsapp="12345"))

    assert response.status_code == 200
    assert "whatsapp" in response.context["form"].errors
    assert 'value="siti@example.com"' in response.text
    assert not User.objects.exists()


def test_signed_in_users_are_sent_on_from_the_signup_and_login_pages(client):
    """Someone already signed in does not see the sign-up or sign-in forms."""
    client.force_login(make_user())

    assert client.get(reverse("accounts:signup"))["Location"] == "/dasbor/"
    assert client.get(reverse("accounts:login"))["Location"] == "/dasbor/"


# Asking for a new confirmation link


def test_a_new_confirmation_link_is_sent_to_an_unconfirmed_account(client):
    """The owner who lost the first email gets a new, working link."""
    client.post(reverse("accounts:signup"), signup_data())
    mail.outbox.clear()

    response = client.post(reverse("accounts:resend"), {"email": "SITI@example.com"})

    assert response["Location"] == reverse("accounts:confirmation_sent")
    (message,) = mail.outbox
    assert message.to == ["siti@example.com"]
    assert client.post(link_in(message), {"password": PASSWORD})["Location"] == (
        "/dasbor/"
    )


@pytest.mark.parametrize("email", ["nobody@example.com", "active@example.com"])
def test_asking_for_a_link_never_reveals_whether_an_address_has_an_account(
    client, email
):
    """Unknown and already active addresses get no email but the same answer as an
    address waiting for confirmation."""
    make_user(email="active@example.com")
    make_user(email="waiting@example.com", is_active=False)

    def ask(address):
        response = client.post(
            reverse("accounts:resend"), {"email": address}, follow=True
        )
        shown = [str(message) for message in response.context["messages"]]
        return response.redirect_chain, [m.replace(address, "…") for m in shown]

    assert ask(email) == ask("waiting@example.com")
    assert [message.to for message in mail.outbox] == [["waiting@example.com"]]


# Signing in and out


def test_signing_in_with_the_right_password_goes_to_the_dashboard(client):
    """Email (in any letter case) and password sign the owner in."""
    user = make_user(email="ani@example.com", password=PASSWORD)

    response = login(client, "Ani@Example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/dasbor/"
    assert signed_in_user_id(client) == str(user.pk)


def test_signing_in_follows_next(client):
    """After being sent to sign in, the owner comes back to the page they wanted."""
    make_user(email="ani@example.com", password=PASSWORD)

    response = client.post(
        reverse("accounts:login") + "?next=/akun/ganti-sandi/",
        {"username": "ani@example.com", "password": PASSWORD},
    )

    assert response["Location"] == "/akun/ganti-sandi/"


def test_signing_in_with_a_wrong_password_is_refused(client):
    """A wrong password re-shows the form with the email kept and no session,
    saying so in plain Indonesian (not Django's "nama pengguna alamat email")."""
    make_user(email="ani@example.com", password=PASSWORD)

    response = login(client, "ani@example.com", "wrong-password")

    assert response.status_code == 200
    assert form_error_codes(response, "__all__") == ["invalid_login"]
    assert "Masukkan alamat email dan sandi yang benar." in response.text
    assert 'value="ani@example.com"' in response.text
    assert signed_in_user_id(client) is None


def test_an_unconfirmed_account_is_told_to_confirm_and_offered_a_new_link(client):
    """The right password for an account waiting for confirmation explains what to
    do and links to a new confirmation link."""
    make_user(email="baru@example.com", password=PASSWORD, is_active=False)

    response = login(client, "baru@example.com", PASSWORD)

    assert response.status_code == 200
    assert form_error_codes(response, "__all__") == ["unconfirmed"]
    assert f'href="{reverse("accounts:resend")}"' in response.text
    assert signed_in_user_id(client) is None


def test_a_wrong_password_for_an_unconfirmed_account_reveals_nothing(client):
    """Without the right password, an unconfirmed account looks like any failure."""
    make_user(email="baru@example.com", password=PASSWORD, is_active=False)

    response = login(client, "baru@example.com", "wrong-password")

    assert form_error_codes(response, "__all__") == ["invalid_login"]


def test_a_deactivated_account_is_told_it_is_inactive(client):
    """An account that signed in before and was deactivated gets Django's
    inactive-account message, not the confirmation one."""
    make_user(
        email="lama@example.com",
        password=PASSWORD,
        is_active=False,
        last_login=datetime.datetime.now(datetime.UTC),
    )

    response = login(client, "lama@example.com", PASSWORD)

    assert form_error_codes(response, "__all__") == ["inactive"]


def test_signing_out_needs_a_post(client):
    """A link or prefetch cannot sign anyone out; the navbar's button can."""
    user = make_user()
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(user.pk)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) is None


def test_the_admin_login_still_works_with_axes(client):
    """Staff sign in to the admin site with their password and a second factor
    (here a recovery code; tests/test_two_factor.py has the rest)."""
    staff = make_user(email="staf@example.com", password=PASSWORD, is_staff=True)
    code = new_recovery_codes(staff)[0]

    response = client.post(
        reverse("admin:login"),
        # The admin's login page posts "next" (the admin index) with the form.
        {
            "username": "staf@example.com",
            "password": PASSWORD,
            "otp_token": code,
            "next": "/admin/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


# Lockout


def test_five_wrong_passwords_lock_the_address_on_that_ip_for_an_hour(client):
    """The fifth wrong password in a row shows the lockout page (429), and then even
    the right one is refused; the same address from another IP can still sign in."""
    make_user(email="ani@example.com", password=PASSWORD)
    statuses = [
        login(client, "ani@example.com", "wrong-password").status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

    locked = login(client, "ani@example.com", PASSWORD)

    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert reverse("accounts:password_reset") in locked.text
    assert signed_in_user_id(client) is None

    elsewhere = login(client, "ani@example.com", PASSWORD, REMOTE_ADDR="10.0.0.7")

    assert elsewhere["Location"] == "/dasbor/"


def test_four_wrong_passwords_do_not_lock(client):
    """Typos happen: four failures still let the right password in."""
    make_user(email="ani@example.com", password=PASSWORD)
    for _ in range(4):
        login(client, "ani@example.com", "wrong-password")

    assert login(client, "ani@example.com", PASSWORD)["Location"] == "/dasbor/"


# Password reset and change


def test_a_forgotten_password_is_reset_through_the_emailed_link(client):
    """The owner asks for a link, sets a new password through it and signs in."""
    make_user(email="ani@example.com", password=PASSWORD)

    response = client.post(
        reverse("accounts:password_reset"), {"email": "ani@example.com"}
    )

    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["ani@example.com"]
    assert message.alternatives[0][1] == "text/html"
    form_page = client.get(link_in(message), follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]

    done = client.post(
        set_password_url,
        {"new_password1": "emping-baru-2025", "new_password2": "emping-baru-2025"},
    )

    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert login(client, "ani@example.com", "emping-baru-2025")["Location"] == (
        "/dasbor/"
    )


def test_a_used_reset_link_no_longer_works(client):
    """After the password is set, the same link shows the invalid-link page."""
    make_user(email="ani@example.com", password=PASSWORD)
    client.post(reverse("accounts:password_reset"), {"email": "ani@example.com"})
    link = link_in(mail.outbox[0])
    set_password_url = client.get(link)["Location"]
    client.post(
        set_password_url,
        {"new_password1": "emping-baru-2025", "new_password2": "emping-baru-2025"},
    )

    response = client.get(link, follow=True)

    assert response.context["validlink"] is False


def test_asking_to_reset_an_unknown_address_sends_nothing_and_says_the_same(client):
    """The answer does not reveal whether the address has an account."""
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.com"}
    )

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_changing_the_password_needs_signing_in(client):
    """Anonymous visitors are sent to the sign-in page, coming back afterwards."""
    url = reverse("accounts:password_change")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_a_signed_in_owner_changes_their_password_and_stays_signed_in(client):
    """The old password is asked for; the new one works and the session stays."""
    user = make_user(password=PASSWORD)
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200

    wrong = client.post(
        url,
        {
            "old_password": "not-it",
            "new_password1": "emping-baru-2025",
            "new_password2": "emping-baru-2025",
        },
    )
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "emping-baru-2025",
            "new_password2": "emping-baru-2025",
        },
    )

    assert "old_password" in wrong.context["form"].errors
    assert response["Location"] == "/dasbor/"
    user.refresh_from_db()
    assert user.check_password("emping-baru-2025")
    assert signed_in_user_id(client) == str(user.pk)


# Navbar and the page cache


def test_the_anonymous_home_page_has_nothing_per_visitor_and_is_cached(
    client, settings
):
    """The anonymous navbar links to sign in and sign up, carries no CSRF token
    and sets no cookie, so the page cache can share it."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600

    first = client.get(reverse("home"))
    second = client.get(reverse("home"))

    assert "csrfmiddlewaretoken" not in first.text
    assert reverse("accounts:login") in first.text
    assert reverse("accounts:signup") in first.text
    assert reverse("accounts:logout") not in first.text
    assert not first.cookies
    assert second["X-Page-Cache"] == "hit"


def test_the_signed_in_navbar_has_the_dashboard_and_a_sign_out_button(client):
    """Signed in, the navbar links to the dashboard and signs out by POST."""
    client.force_login(make_user())

    response = client.get(reverse("home"))

    assert 'href="/dasbor/"' in response.text
    assert re.search(
        r'<form method="post" action="/akun/keluar/">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken"',
        response.text,
    )
    assert reverse("accounts:signup") not in response.text


@pytest.mark.parametrize(
    "name",
    [
        "signup",
        "confirmation_sent",
        "resend",
        "login",
        "password_reset",
        "password_reset_done",
        "password_reset_complete",
    ],
)
def test_account_pages_open_for_anonymous_visitors(client, name):
    """Each public account page answers, and asks search engines not to index it."""
    response = client.get(reverse(f"accounts:{name}"))

    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.text


def test_lockout_counts_the_visitor_behind_the_proxy_not_the_proxy(rf, settings):
    """Behind the load balancer, django-axes sees the visitor's own address."""
    from accounts.views import client_ip

    settings.TRUSTED_PROXIES = 1
    request = rf.get(
        "/", HTTP_X_FORWARDED_FOR="10.9.9.9, 36.80.1.2", REMOTE_ADDR="10.0.0.1"
    )

    assert client_ip(request) == "36.80.1.2"
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
