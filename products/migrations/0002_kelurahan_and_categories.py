"""Reference data every installation needs: the 6 kecamatan and 66 kelurahan of Kota
Serang (from products/data/kota_serang_wilayah.csv, official codes) and the categories."""

import csv
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

WILAYAH_CSV = Path(__file__).resolve().parent.parent / "data" / "kota_serang_wilayah.csv"

CATEGORIES = [
    ("oleh-oleh-khas", "Oleh-oleh khas Serang", "Sate bandeng, emping, dodol, rabeg."),
    ("makanan", "Makanan", "Lauk, makanan siap saji dan beku."),
    ("camilan", "Camilan & kue", "Keripik, kue kering, kerupuk."),
    ("minuman", "Minuman", "Sirup, sari buah, minuman kemasan."),
    ("kopi-teh", "Kopi & teh", "Kopi bubuk, biji kopi, teh."),
    ("herbal-jamu", "Herbal & jamu", "Jamu, minuman herbal, rempah."),
    ("fesyen-batik", "Fesyen & batik", "Batik Banten, pakaian, aksesori."),
    ("kerajinan", "Kerajinan", "Anyaman, gerabah, kerajinan tangan."),
    ("kecantikan", "Kecantikan & perawatan", "Sabun, minyak, perawatan tubuh."),
    ("lainnya", "Lainnya", "Produk UMKM lainnya."),
]


def load(apps, schema_editor):
    Kecamatan = apps.get_model("products", "Kecamatan")
    Kelurahan = apps.get_model("products", "Kelurahan")
    Category = apps.get_model("products", "Category")

    with WILAYAH_CSV.open(encoding="utf-8") as csv_file:
        rows = list(csv.DictReader(csv_file))
    kecamatan_by_code = {}
    for row in rows:
        code = row["kecamatan_code"]
        if code not in kecamatan_by_code:
            kecamatan_by_code[code], _ = Kecamatan.objects.update_or_create(
                code=code,
                defaults={"name": row["kecamatan"], "slug": slugify(row["kecamatan"])},
            )
    names = [row["kelurahan"] for row in rows]
    for row in rows:
        slug = slugify(row["kelurahan"])
        if names.count(row["kelurahan"]) > 1:
            slug = slugify(f"{row['kelurahan']} {row['kecamatan']}")
        Kelurahan.objects.update_or_create(
            code=row["kelurahan_code"],
            defaults={
                "name": row["kelurahan"],
                "slug": slug,
                "kecamatan": kecamatan_by_code[row["kecamatan_code"]],
            },
        )

    for position, (slug, name, description) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "position": position},
        )


def unload(apps, schema_editor):
    apps.get_model("products", "Category").objects.all().delete()
    apps.get_model("products", "Kelurahan").objects.all().delete()
    apps.get_model("products", "Kecamatan").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
