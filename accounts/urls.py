from django.urls import path

from . import two_factor, views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.UserSignupView.as_view(), name="signup"),
    path(
        "daftar/cek-email/",
        views.ConfirmationSentView.as_view(),
        name="confirmation_sent",
    ),
    path(
        "konfirmasi/<uidb64>/<token>/",
        views.EmailConfirmView.as_view(),
        name="confirm",
    ),
    path("kirim-ulang/", views.ConfirmationResendView.as_view(), name="resend"),
    path("masuk/", views.UserLoginView.as_view(), name="login"),
    path(
        "dua-langkah/",
        two_factor.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path("keluar/", views.UserLogoutView.as_view(), name="logout"),
    path(
        "lupa-sandi/",
        views.PasswordResetRequestView.as_view(),
        name="password_reset",
    ),
    path(
        "lupa-sandi/terkirim/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "lupa-sandi/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "lupa-sandi/selesai/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "ganti-sandi/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
]
