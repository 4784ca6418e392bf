"""The two agencies and three real outlets of Kota Serang, as data every installation
has. Coordinates are approximate (staff correct them in the admin); opening hours are a
first schedule for staff to confirm."""

import datetime
from decimal import Decimal

from django.db import migrations

AGENCIES = [
    {
        "slug": "disparpora",
        "short_name": "Disparpora",
        "name": "Dinas Pariwisata, Pemuda dan Olahraga Kota Serang",
    },
    {
        "slug": "dinkopukmperindag",
        "short_name": "Dinkopukmperindag",
        "name": "Dinas Koperasi, UKM, Perindustrian dan Perdagangan Kota Serang",
    },
]

OUTLETS = [
    {
        "slug": "gerai-umkm-cipare",
        "name": "Gerai UMKM Cipare",
        "agency": "dinkopukmperindag",
        "kind": "gerai",
        "kelurahan_code": "3673011002",
        "address": "Kelurahan Cipare, Kecamatan Serang, Kota Serang",
        "latitude": Decimal("-6.126900"),
        "longitude": Decimal("106.143500"),
        "description": (
            "Gerai pemasaran produk UMKM Kota Serang di Kelurahan Cipare, dibangun "
            "bersama program KOTAKU (Kota Tanpa Kumuh)."
        ),
        "hours": [(day, "08:00", "16:00") for day in range(6)],
    },
    {
        "slug": "gerai-umkm-kasemen",
        "name": "Gerai UMKM Kasemen",
        "agency": "dinkopukmperindag",
        "kind": "gerai",
        "kelurahan_code": "3673021001",
        "address": "Kecamatan Kasemen, Kota Serang (kawasan Banten Lama)",
        "latitude": Decimal("-6.045000"),
        "longitude": Decimal("106.156000"),
        "description": (
            "Gerai pemasaran produk UMKM di Kecamatan Kasemen, dekat kawasan wisata "
            "Banten Lama, dibangun bersama program KOTAKU (Kota Tanpa Kumuh)."
        ),
        "hours": [(day, "08:00", "16:00") for day in range(6)],
    },
    {
        "slug": "iwak-banten",
        "name": "Iwak Banten",
        "agency": "disparpora",
        "kind": "kiosk_centre",
        "kelurahan_code": None,
        "address": "Jl. Jenderal Sudirman, Kota Serang",
        "latitude": Decimal("-6.118500"),
        "longitude": Decimal("106.165500"),
        "description": (
            "Pusat oleh-oleh khas Kota Serang untuk wisatawan, dikelola Disparpora: "
            "kios produk UMKM dengan area parkir."
        ),
        "hours": [(day, "09:00", "21:00") for day in range(7)],
    },
]


def load(apps, schema_editor):
    Agency = apps.get_model("outlets", "Agency")
    Outlet = apps.get_model("outlets", "Outlet")
    OpeningHours = apps.get_model("outlets", "OpeningHours")
    Kelurahan = apps.get_model("products", "Kelurahan")

    agencies = {}
    for data in AGENCIES:
        agencies[data["slug"]], _ = Agency.objects.update_or_create(
            slug=data["slug"],
            defaults={"name": data["name"], "short_name": data["short_name"]},
        )
    for data in OUTLETS:
        kelurahan = (
            Kelurahan.objects.get(code=data["kelurahan_code"])
            if data["kelurahan_code"]
            else None
        )
        outlet, created = Outlet.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "agency": agencies[data["agency"]],
                "kind": data["kind"],
                "status": "open",
                "kelurahan": kelurahan,
                "address": data["address"],
                "latitude": data["latitude"],
                "longitude": data["longitude"],
                "description": data["description"],
            },
        )
        if created:
            OpeningHours.objects.bulk_create(
                OpeningHours(
                    outlet=outlet,
                    weekday=weekday,
                    opens_at=datetime.time.fromisoformat(opens),
                    closes_at=datetime.time.fromisoformat(closes),
                )
                for weekday, opens, closes in data["hours"]
            )


def unload(apps, schema_editor):
    Outlet = apps.get_model("outlets", "Outlet")
    Outlet.objects.filter(slug__in=[data["slug"] for data in OUTLETS]).delete()
    apps.get_model("outlets", "Agency").objects.filter(
        slug__in=[data["slug"] for data in AGENCIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outlets", "0001_initial"),
        ("products", "0002_kelurahan_and_categories"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
