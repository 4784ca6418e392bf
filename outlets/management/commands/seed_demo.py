"""Fill the database with a demo catalogue of Kota Serang UMKM: owners, businesses,
products with photos and certificates, displays at the three real outlets, and staff
accounts to sign in to the admin.

Everything comes from random.Random(seed), one generator per business and per outlet,
so a given --seed always gives the same data and a larger --businesses only adds the
businesses after the existing ones. Demo owners are numbered (pemilik<N>@ the demo
domain); a second run with the same size creates nothing. Product pictures come from
a small pool drawn with Pillow and stored once through ProductPhoto.set_image; demo
photo rows point at the pool's files.
"""

import datetime
import functools
import io
import json
import os
import random
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from outlets.models import Display, Outlet
from products.models import (
    Business,
    Category,
    Certification,
    Kelurahan,
    Product,
    ProductPhoto,
)

DEMO_DOMAIN = "demo.gerai-umkm.test"
DEMO_PASSWORD = "serang-demo-2026"
OWNER_PREFIX = "pemilik"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
OUTLET_SLUGS = ["gerai-umkm-cipare", "gerai-umkm-kasemen", "iwak-banten"]
# The agency for cooperatives and SMEs verifies businesses and reviews products.
REVIEWING_AGENCY = "dinkopukmperindag"
BATCH_SIZE = 500
PROGRESS_EVERY = 1000
# The city's register: 6,815 micro, 3,294 small, 23 medium (one in 440, see below).
SIZE_WEIGHTS = {Business.Size.MICRO: 6815, Business.Size.SMALL: 3294}
MEDIUM_EVERY = 440
PRODUCT_STATUS_WEIGHTS = {
    Product.Status.APPROVED: 82,
    Product.Status.PENDING: 9,
    Product.Status.DRAFT: 5,
    Product.Status.REJECTED: 3,
    Product.Status.WITHDRAWN: 1,
}
FOOD_CATEGORIES = {
    "oleh-oleh-khas",
    "makanan",
    "camilan",
    "minuman",
    "kopi-teh",
    "herbal-jamu",
}
# Iwak Banten is the tourists' souvenir centre: food to take home comes first.
OUTLET_CATEGORIES = {"iwak-banten": {"oleh-oleh-khas", "camilan", "kopi-teh"}}


class Kind(NamedTuple):
    """A kind of product; its pool pictures carry the kind's name."""

    name: str
    category: str
    products: list[str]
    units: list[tuple[str, int, int]]  # unit, lowest and highest price in Rp 1,000
    about: str
    bpom: bool = False  # packaged food that larger makers register with BPOM


class Line(NamedTuple):
    """A trade a business lives from: words for its name, its kinds of product."""

    weight: int
    words: list[str]
    prefixes: list[str]
    kinds: list[str]
    summary: str
    coastal: bool = False  # fish ponds and melinjo: more common in Kasemen


def _named(base, *variants):
    return [f"{base} {variant}" for variant in variants]


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "Sate Bandeng",
            "oleh-oleh-khas",
            _named("Sate Bandeng", "Original", "Pedas", "Jumbo", "Bumbu Rempah"),
            [("ekor", 35, 65), ("paket 2 ekor", 70, 120)],
            "Daging bandeng dipisahkan dari durinya, dibumbui santan dan rempah, "
            "dimasukkan kembali ke kulitnya lalu dibakar dengan jepitan bambu.",
        ),
        Kind(
            "Dodol",
            "oleh-oleh-khas",
            _named("Dodol", "Durian", "Ketan Hitam", "Wijen", "Nangka", "Pandan"),
            [
                ("bungkus 250 g", 15, 30),
                ("besek 500 g", 28, 50),
                ("kotak 1 kg", 55, 90),
            ],
            "Dodol diaduk berjam-jam dari tepung ketan, santan kelapa dan gula aren "
            "sampai legit.",
        ),
        Kind(
            "Emping Melinjo",
            "oleh-oleh-khas",
            _named(
                "Emping Melinjo", "Original", "Pedas Manis", "Balado", "Super Tipis"
            ),
            [
                ("bungkus 250 g", 25, 45),
                ("bungkus 500 g", 45, 85),
                ("bungkus 1 kg", 90, 160),
            ],
            "Emping ditumbuk satu per satu dari biji melinjo pilihan, renyah dan "
            "gurih setelah digoreng.",
        ),
        Kind(
            "Otak-otak Bandeng",
            "oleh-oleh-khas",
            _named("Otak-otak Bandeng", "Original", "Pedas", "Bakar"),
            [("pak isi 10", 25, 45), ("pak isi 20", 45, 80)],
            "Daging bandeng giling dengan santan dan bumbu, dibungkus daun pisang.",
        ),
        Kind(
            "Bandeng Presto",
            "oleh-oleh-khas",
            _named("Bandeng Presto", "Original", "Bumbu Kuning", "Asap"),
            [("ekor 500 g", 35, 60), ("pak 2 ekor", 65, 110)],
            "Bandeng dimasak bertekanan tinggi sampai tulangnya lunak dan ikut "
            "dimakan.",
        ),
        Kind(
            "Rabeg",
            "makanan",
            _named("Rabeg", "Daging Kambing", "Daging Sapi", "Jeroan"),
            [("porsi", 30, 55), ("pak beku 500 g", 75, 150)],
            "Masakan khas Serang sejak masa Sultan Maulana Hasanuddin: daging "
            "dimasak dengan kecap, jahe dan rempah.",
        ),
        Kind(
            "Nasi Sumsum",
            "makanan",
            _named("Nasi Sumsum", "Original", "Pedas", "Jumbo"),
            [("bungkus", 10, 18), ("paket isi 5", 50, 85)],
            "Nasi diaduk dengan sumsum tulang sapi dan bumbu, dibungkus daun pisang "
            "lalu dibakar.",
        ),
        Kind(
            "Pecak Bandeng",
            "makanan",
            _named("Pecak Bandeng", "Original", "Pedas"),
            [("porsi", 25, 45)],
            "Bandeng goreng disiram sambal pecak dari cabai, bawang dan jeruk.",
        ),
        Kind(
            "Abon Ikan",
            "makanan",
            _named("Abon Ikan", "Bandeng", "Tongkol", "Tuna", "Pedas"),
            [("toples 100 g", 25, 45), ("toples 250 g", 55, 95)],
            "Abon dari daging ikan segar, dimasak dengan bumbu rempah lalu disangrai "
            "sampai kering.",
            bpom=True,
        ),
        Kind(
            "Sambal",
            "makanan",
            _named("Sambal", "Bawang", "Cumi", "Teri", "Ijo", "Roa"),
            [("botol 150 ml", 20, 35), ("botol 250 ml", 30, 55)],
            "Sambal dimasak matang dengan minyak kelapa, pedasnya pas.",
            bpom=True,
        ),
        Kind(
            "Kue Jojorong",
            "camilan",
            _named("Kue Jojorong", "Original", "Pandan", "Gula Aren"),
            [("kotak isi 10", 15, 30), ("besek isi 20", 30, 55)],
            "Kue tradisional Banten dari tepung beras dan santan dengan gula aren di "
            "dasarnya, dikukus dalam takir daun pisang.",
        ),
        Kind(
            "Keceprek",
            "camilan",
            _named("Keceprek", "Original", "Pedas", "Bawang"),
            [("bungkus 200 g", 10, 20), ("bungkus 500 g", 22, 40)],
            "Camilan renyah tradisional Serang, teman minum teh dan kopi.",
        ),
        Kind(
            "Kerupuk",
            "camilan",
            _named("Kerupuk", "Ikan", "Udang", "Kulit", "Bawang", "Rambak"),
            [("bungkus 250 g", 15, 35), ("bungkus 500 g", 28, 60)],
            "Kerupuk dijemur di bawah matahari, mengembang renyah saat digoreng.",
        ),
        Kind(
            "Keripik",
            "camilan",
            _named("Keripik", "Pisang", "Singkong Balado", "Tempe", "Talas", "Sukun"),
            [("bungkus 200 g", 12, 25), ("bungkus 500 g", 25, 50)],
            "Keripik diiris tipis dan digoreng dengan minyak baru setiap hari.",
        ),
        Kind(
            "Gipang",
            "camilan",
            _named("Gipang", "Original", "Wijen", "Kacang"),
            [("bungkus 250 g", 12, 25), ("toples 500 g", 25, 45)],
            "Beras ketan goreng yang dicetak dengan gula merah, camilan khas Banten "
            "saat Lebaran.",
        ),
        Kind(
            "Kue Kering",
            "camilan",
            ["Nastar", "Kastengel", "Putri Salju", "Kue Kacang", "Lidah Kucing"],
            [("toples 500 g", 60, 125)],
            "Kue kering dipanggang dengan mentega asli, renyah dan tidak berminyak.",
        ),
        Kind(
            "Sirup",
            "minuman",
            _named("Sirup", "Pala", "Jeruk Nipis", "Markisa", "Jahe"),
            [("botol 460 ml", 25, 45), ("botol 620 ml", 35, 60)],
            "Sirup dari sari buah asli dan gula pasir, segar dicampur air dingin.",
            bpom=True,
        ),
        Kind(
            "Sari Buah",
            "minuman",
            _named("Sari", "Nanas", "Kelapa", "Belimbing", "Jambu Merah"),
            [("botol 250 ml", 8, 15), ("botol 330 ml", 10, 20)],
            "Minuman sari buah dari buah segar petani Banten, tanpa pewarna.",
            bpom=True,
        ),
        Kind(
            "Susu Kedelai",
            "minuman",
            _named("Susu Kedelai", "Original", "Cokelat", "Melon"),
            [("botol 250 ml", 6, 10), ("botol 1 liter", 18, 28)],
            "Susu kedelai dibuat setiap pagi dari kedelai pilihan, disimpan dingin.",
        ),
        Kind(
            "Kopi Bubuk",
            "kopi-teh",
            [
                "Kopi Robusta Banten",
                "Kopi Arabika Gunung Karang",
                "Kopi Tubruk",
                "Kopi Jahe",
                "Kopi Rempah",
            ],
            [("bungkus 100 g", 15, 30), ("bungkus 250 g", 30, 75)],
            "Biji kopi dari kebun rakyat Banten, disangrai dan digiling sendiri.",
            bpom=True,
        ),
        Kind(
            "Kopi Biji",
            "kopi-teh",
            _named("Biji Kopi", "Robusta Sangrai", "Arabika Sangrai", "Espresso Blend"),
            [("bungkus 250 g", 50, 110), ("bungkus 1 kg", 180, 350)],
            "Biji kopi sangrai tingkat medium, cocok untuk tubruk maupun mesin.",
        ),
        Kind(
            "Teh",
            "kopi-teh",
            _named("Teh", "Serai", "Daun Kelor", "Rosela", "Melati"),
            [("kotak 20 kantong", 18, 35), ("bungkus 100 g", 20, 40)],
            "Teh herbal dari daun dan bunga yang dikeringkan tanpa bahan tambahan.",
        ),
        Kind(
            "Jahe Merah",
            "herbal-jamu",
            ["Jahe Merah Instan", "Jahe Merah Gula Aren", "Wedang Jahe Merah Rempah"],
            [("toples 250 g", 30, 55), ("bungkus 500 g", 45, 85)],
            "Jahe merah dikristalkan dengan gula, tinggal seduh air panas.",
            bpom=True,
        ),
        Kind(
            "Jamu",
            "herbal-jamu",
            _named("Jamu", "Kunyit Asam", "Beras Kencur", "Sirih", "Temulawak"),
            [("botol 250 ml", 8, 15), ("botol 1 liter", 25, 45)],
            "Jamu gendong resep keluarga, direbus dari rimpang segar setiap hari.",
        ),
        Kind(
            "Temulawak",
            "herbal-jamu",
            ["Temulawak Instan", "Kunyit Instan", "Sereh Instan"],
            [("toples 250 g", 25, 45)],
            "Serbuk rimpang instan, diseduh hangat untuk menjaga daya tahan tubuh.",
        ),
        Kind(
            "Madu",
            "herbal-jamu",
            _named("Madu", "Hutan Banten", "Klanceng", "Randu"),
            [("botol 250 ml", 60, 120), ("botol 500 ml", 110, 220)],
            "Madu murni dari peternak lebah di Banten, tanpa campuran gula.",
        ),
        Kind(
            "Batik Banten",
            "fesyen-batik",
            _named(
                "Kain Batik Banten Motif",
                "Surosowan",
                "Datulaya",
                "Kawangsan",
                "Sabakingking",
                "Pamaranggen",
            ),
            [("lembar 2 m (cap)", 150, 300), ("lembar 2 m (tulis)", 400, 950)],
            "Batik Banten dengan motif dari peninggalan Kesultanan Banten, pewarna "
            "yang tidak mudah luntur.",
        ),
        Kind(
            "Busana Batik",
            "fesyen-batik",
            [
                "Kemeja Batik Banten Lengan Pendek",
                "Kemeja Batik Banten Lengan Panjang",
                "Blus Batik Banten",
                "Gamis Batik Banten",
            ],
            [("pcs", 150, 350)],
            "Dijahit rapi dari kain batik Banten, tersedia ukuran S sampai XXL.",
        ),
        Kind(
            "Kerudung Batik",
            "fesyen-batik",
            ["Kerudung Batik Banten", "Pasmina Batik", "Syal Batik"],
            [("pcs", 45, 120)],
            "Kain ringan dan adem dengan motif batik Banten.",
        ),
        Kind(
            "Tas Batik",
            "fesyen-batik",
            ["Tas Jinjing Batik Banten", "Dompet Batik", "Totebag Batik Banten"],
            [("pcs", 35, 150)],
            "Tas dari kain batik Banten dengan lapisan dalam dan ritsleting.",
        ),
        Kind(
            "Anyaman Bambu",
            "kerajinan",
            ["Bakul Bambu", "Tampah Bambu", "Keranjang Bambu", "Tudung Saji Bambu"],
            [("pcs", 20, 95)],
            "Anyaman bambu tali dikerjakan dengan tangan, kuat untuk dipakai "
            "sehari-hari.",
        ),
        Kind(
            "Anyaman Pandan",
            "kerajinan",
            ["Tikar Pandan", "Tas Anyaman Pandan", "Dompet Pandan", "Topi Pandan"],
            [("pcs", 25, 180)],
            "Daun pandan dijemur, diwarnai lalu dianyam rapat oleh perajin.",
        ),
        Kind(
            "Gerabah",
            "kerajinan",
            ["Kendi Gerabah", "Pot Gerabah", "Celengan Gerabah", "Cobek Tanah Liat"],
            [("pcs", 15, 250)],
            "Gerabah dibentuk di atas meja putar dan dibakar dengan tungku kayu.",
        ),
        Kind(
            "Miniatur",
            "kerajinan",
            [
                "Miniatur Menara Masjid Agung Banten",
                "Miniatur Golok Banten",
                "Hiasan Dinding Kaligrafi",
            ],
            [("pcs", 35, 250)],
            "Cendera mata khas Banten yang dikerjakan dengan tangan.",
        ),
        Kind(
            "Sabun Herbal",
            "kecantikan",
            _named("Sabun", "Sereh", "Kopi", "Kunyit", "Susu Kambing", "Arang Bambu"),
            [("batang 100 g", 15, 35)],
            "Sabun dibuat dengan proses dingin dari minyak nabati dan bahan alami.",
        ),
        Kind(
            "Minyak Kelapa",
            "kecantikan",
            ["Minyak Kelapa Murni (VCO)", "Minyak Urut Sereh", "Minyak Telon"],
            [("botol 60 ml", 20, 40), ("botol 100 ml", 30, 75)],
            "Minyak kelapa diolah tanpa pemanasan dari kelapa tua pilihan.",
        ),
        Kind(
            "Lulur",
            "kecantikan",
            ["Lulur Bengkoang", "Lulur Beras Kencur", "Masker Kopi"],
            [("toples 100 g", 20, 50)],
            "Perawatan tubuh tradisional dari bahan alami yang digiling halus.",
        ),
        Kind(
            "Suvenir",
            "lainnya",
            [
                "Gantungan Kunci Menara Banten",
                "Magnet Kulkas Banten Lama",
                "Pembatas Buku Batik",
            ],
            [("pcs", 10, 35), ("paket isi 5", 40, 85)],
            "Oleh-oleh kecil bergambar ikon Kota Serang dan Banten Lama.",
        ),
        Kind(
            "Rajutan",
            "lainnya",
            ["Tas Rajut", "Dompet Rajut", "Boneka Rajut"],
            [("pcs", 25, 150)],
            "Dirajut dengan tangan dari benang katun, warna bisa dipesan.",
        ),
    ]
}

LINES = [
    Line(
        8,
        ["Sate Bandeng", "Bandeng", "Olahan Bandeng", "Otak-otak"],
        ["Dapur", "Rumah", "Pondok"],
        ["Sate Bandeng", "Otak-otak Bandeng", "Bandeng Presto", "Abon Ikan"],
        "olahan bandeng seperti sate bandeng dan otak-otak",
        coastal=True,
    ),
    Line(
        7,
        ["Dodol", "Kue", "Jajanan"],
        ["Dapur", "Rumah", "Saung"],
        ["Dodol", "Kue Jojorong", "Gipang", "Kue Kering"],
        "dodol dan kue tradisional Banten",
    ),
    Line(
        8,
        ["Emping Melinjo", "Emping", "Keripik"],
        ["Rumah", "Saung", "Pondok"],
        ["Emping Melinjo", "Keripik", "Kerupuk", "Keceprek"],
        "emping melinjo, keripik dan kerupuk",
        coastal=True,
    ),
    Line(
        10,
        ["Rabeg", "Nasi Sumsum", "Masakan", "Sambal"],
        ["Dapur", "Warung", "Kedai"],
        ["Rabeg", "Nasi Sumsum", "Sambal", "Pecak Bandeng", "Abon Ikan"],
        "masakan khas Serang seperti rabeg dan nasi sumsum",
    ),
    Line(
        14,
        ["Camilan", "Kerupuk", "Keripik", "Kue"],
        ["Dapur", "Rumah", "Saung", "Toko"],
        ["Kerupuk", "Keripik", "Keceprek", "Kue Kering", "Gipang", "Kue Jojorong"],
        "aneka camilan, keripik dan kerupuk",
    ),
    Line(
        5,
        ["Sirup", "Minuman", "Sari Buah"],
        ["Rumah", "Dapur"],
        ["Sirup", "Sari Buah", "Susu Kedelai", "Jahe Merah"],
        "sirup dan minuman kemasan",
    ),
    Line(
        5,
        ["Kopi", "Kopi Banten"],
        ["Kedai", "Rumah"],
        ["Kopi Bubuk", "Kopi Biji", "Teh"],
        "kopi bubuk, biji kopi sangrai dan teh",
    ),
    Line(
        6,
        ["Jamu", "Herbal", "Jahe Merah"],
        ["Rumah", "Griya", "Pondok"],
        ["Jahe Merah", "Jamu", "Temulawak", "Madu", "Teh"],
        "jamu dan minuman herbal",
    ),
    Line(
        5,
        ["Batik Banten", "Batik"],
        ["Rumah", "Sanggar", "Griya"],
        ["Batik Banten", "Busana Batik", "Kerudung Batik", "Tas Batik"],
        "batik Banten cap dan tulis",
    ),
    Line(
        4,
        ["Anyaman", "Kerajinan Bambu", "Anyaman Pandan"],
        ["Sanggar", "Rumah"],
        ["Anyaman Bambu", "Anyaman Pandan", "Suvenir"],
        "anyaman bambu dan pandan",
    ),
    Line(
        2,
        ["Gerabah", "Kerajinan Tanah Liat"],
        ["Sanggar", "Rumah"],
        ["Gerabah", "Miniatur", "Suvenir"],
        "gerabah dan cendera mata",
    ),
    Line(
        4,
        ["Sabun", "Herbal", "Natural"],
        ["Rumah", "Griya"],
        ["Sabun Herbal", "Minyak Kelapa", "Lulur"],
        "sabun dan perawatan tubuh dari bahan alami",
    ),
    Line(
        2,
        ["Rajut", "Kerajinan"],
        ["Sanggar", "Rumah", "Griya"],
        ["Rajutan", "Suvenir", "Tas Batik"],
        "rajutan dan suvenir",
    ),
]

WOMEN = (
    "Siti Aminah Mariam Fatimah Nurhayati Euis Imas Yati Ijah Eni Rohayati Masitoh "
    "Khodijah Halimah Sri Dewi Rina Ratna Neneng Iis Lilis Titin Enok Atikah "
    "Maryani Juju Nurlela Sumiati Zubaidah Rosidah Hasanah Mulyani Wati Nining Oom"
).split()
MEN = (
    "Udin Ujang Dul Asep Jaenudin Sarmadi Hasan Rohman Mahmud Syarif Mulyadi Jaka "
    "Enjang Ahmad Sukardi Marzuki Rizal Fajar Hendra Supriadi Wawan Dedi Iwan Arif "
    "Sahrul Jamhari Muhidin Rahmat Sanusi"
).split()
WOMEN_SURNAMES = (
    "Rahmawati Suryani Fauziah Maesaroh Nurjanah Komalasari Handayani Wulandari "
    "Anggraini Marlina Nuraeni Rohimah"
).split()
MEN_SURNAMES = (
    "Hidayat Hermawan Saputra Setiawan Kurniawan Sopian Syamsudin Hamdani Ramdani "
    "Firmansyah Suherman Jayadi"
).split()
WOMEN_TITLES = ["Ibu", "Bu", "Hj.", "Teh", "Ceu", "Mak", "Umi"]
MEN_TITLES = ["Pak", "H.", "Abah", "Mang", "Kang", "Bang"]
BRANDS = [
    "Barokah",
    "Berkah Jaya",
    "Sari Rasa",
    "Mekar Sari",
    "Putri Ayu",
    "Sejahtera",
    "Mandiri",
    "Sumber Rezeki",
    "Al-Barokah",
    "Rizki Abadi",
    "Sinar Jaya",
    "Citra Rasa",
    "Melati",
    "Kenanga",
    "Surosowan",
    "Tirtayasa",
    "Kaibon",
    "Karangantu",
    "Jawara",
    "Madani",
    "Rawu",
    "Pusaka",
]
STREETS = [
    "Maulana Hasanudin",
    "Maulana Yusuf",
    "Ki Mas Jong",
    "Ahmad Yani",
    "Veteran",
    "Diponegoro",
    "Sultan Ageng Tirtayasa",
    "Trip Jamaksari",
    "Kitapa",
    "Raya Banten",
    "Syekh Nawawi Al-Bantani",
    "Raya Pandeglang",
    "Lingkar Selatan",
    "Raya Taktakan",
    "KH. Abdul Fatah Hasan",
    "Raya Cilegon",
    "Bhayangkara",
    "Ciwaru Raya",
    "Raya Petir",
]
WHATSAPP_PREFIXES = (
    "811 812 813 821 822 823 851 852 853 814 815 816 855 856 857 858 817 818 819 "
    "859 877 878 831 838 895 896 897 898 899 881 882 887 888"
).split()
BUSINESS_OPENINGS = [
    "{name} adalah usaha {size} di Kelurahan {kelurahan}, Kecamatan {kecamatan}, "
    "yang membuat {line} sejak {year}.",
    "Sejak {year}, {name} membuat {line} di rumah produksi kami di Kelurahan "
    "{kelurahan}.",
    "Usaha keluarga di {kelurahan}, {kecamatan}: {line} dengan resep turun-temurun, "
    "dirintis tahun {year}.",
]
BUSINESS_CLOSINGS = [
    "Menerima pesanan untuk hajatan, arisan dan oleh-oleh.",
    "Pesan lewat WhatsApp, bisa diantar di sekitar Kota Serang.",
    "Produk kami dikerjakan bersama ibu-ibu di lingkungan sekitar.",
    "Produk kami juga hadir di bazar UMKM Pemkot Serang.",
    "Melayani pembelian eceran maupun grosir.",
    "Bahan baku kami ambil dari petani dan nelayan sekitar Serang.",
]
PRODUCT_CLOSINGS = {
    "food": [
        "Tanpa pengawet dan pewarna buatan.",
        "Cocok untuk oleh-oleh keluarga.",
        "Simpan di tempat sejuk dan kering.",
        "Dibuat setiap hari dalam jumlah terbatas.",
        "Bisa pesan untuk hajatan dan acara kantor.",
        "Dikemas rapi, aman dibawa perjalanan jauh.",
    ],
    "care": [
        "Dari bahan alami, tanpa paraben.",
        "Cocok untuk kulit sensitif.",
        "Simpan jauh dari sinar matahari langsung.",
        "Tersedia kemasan hadiah.",
    ],
    "craft": [
        "Dikerjakan dengan tangan oleh perajin Serang.",
        "Cocok untuk hadiah dan cendera mata.",
        "Setiap produk sedikit berbeda karena buatan tangan.",
        "Bisa pesan motif dan ukuran khusus.",
        "Tersedia beberapa warna, tanyakan lewat WhatsApp.",
    ],
}
BUSINESS_REJECTIONS = [
    "NIB tidak ditemukan di OSS; mohon periksa kembali nomornya.",
    "Alamat usaha berada di luar Kota Serang.",
    "Data usaha belum lengkap: mohon lengkapi alamat dan deskripsi usaha.",
]
PRODUCT_REJECTIONS = [
    "Foto produk kurang jelas; mohon unggah foto dengan cahaya yang cukup.",
    "Harga belum sesuai dengan satuan yang tertulis.",
    "Nama produk memuat klaim kesehatan yang tidak boleh dicantumkan.",
    "Sertifikat halal sudah kedaluwarsa; mohon perbarui dulu.",
]
DISPLAY_MESSAGES = [
    "Assalamualaikum, mohon produk kami bisa dipajang di gerai. Stok siap diantar.",
    "Kami sanggup mengirim 20 bungkus setiap minggu.",
    "Produk baru kami, mohon dipertimbangkan untuk dipajang.",
    "Kemasan sudah kami perbarui dan sudah berlabel halal.",
    "Mohon info jadwal pengantaran barang ke gerai.",
    "Tahun lalu sudah pernah dipajang, kami ingin dipajang lagi.",
]
DISPLAY_REJECTIONS = [
    "Rak untuk kategori ini sedang penuh; silakan ajukan lagi bulan depan.",
    "Kemasan perlu label komposisi dan tanggal kedaluwarsa sebelum dipajang.",
    "Gerai belum punya lemari pendingin untuk produk beku.",
    "Mohon lengkapi izin P-IRT terlebih dulu.",
]
PALETTES = {
    "oleh-oleh-khas": ((176, 74, 38), (246, 196, 120)),
    "makanan": ((190, 112, 36), (250, 226, 170)),
    "camilan": ((214, 160, 52), (120, 62, 20)),
    "minuman": ((40, 128, 160), (200, 236, 240)),
    "kopi-teh": ((88, 58, 38), (214, 178, 130)),
    "herbal-jamu": ((80, 124, 56), (236, 206, 90)),
    "fesyen-batik": ((112, 46, 84), (232, 190, 110)),
    "kerajinan": ((146, 106, 66), (236, 220, 180)),
    "kecantikan": ((196, 106, 136), (250, 230, 236)),
    "lainnya": ((80, 94, 120), (220, 226, 240)),
}


def _between(rng, start, end):
    """A random moment from start to end (start when the range is empty)."""
    if end <= start:
        return start
    return start + (end - start) * rng.random()


def _rupiah(rng, low, high):
    """Whole rupiah between low and high thousand, rounded like a price tag."""
    price = rng.randint(low * 1000, high * 1000)
    step = 500 if price < 50_000 else 1000
    return max(step, round(price / step) * step)


def _mix(color, other, share):
    return tuple(round(a + (b - a) * share) for a, b in zip(color, other, strict=True))


@functools.cache
def _font(size):
    return ImageFont.load_default(size=size)


def draw_picture(kind, style):
    """A 1200×900 placeholder photo of a kind of product, as JPEG bytes; style 0 is
    the product on a plate, 1 its package, 2 a batik-like close-up."""
    rng = random.Random(f"{kind.name}:{style}")
    background, accent = PALETTES[kind.category]
    if style == 1:
        background, accent = _mix(accent, background, 0.25), background
    image = Image.new("RGB", (1200, 900), background)
    draw = ImageDraw.Draw(image)
    light = _mix(background, (255, 255, 255), 0.45)
    dark = _mix(accent, (0, 0, 0), 0.35)
    if style == 0:
        draw.ellipse((330, 90, 870, 630), fill=light, outline=dark, width=10)
        for _ in range(rng.randint(5, 8)):
            x, y, r = rng.randint(450, 750), rng.randint(210, 510), rng.randint(45, 85)
            draw.ellipse(
                (x - r, y - r, x + r, y + r), fill=accent, outline=dark, width=6
            )
    elif style == 1:
        draw.rounded_rectangle((400, 80, 800, 680), radius=48, fill=accent)
        draw.rectangle((400, 280, 800, 420), fill=light)
        draw.ellipse((540, 140, 660, 260), fill=light)
    else:
        for x in range(0, 1300, 130):
            for y in range(0, 760, 130):
                r = rng.randint(30, 55)
                draw.polygon(
                    [(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=accent
                )
                draw.ellipse((x - 10, y - 10, x + 10, y + 10), fill=light)
    draw.rectangle((0, 700, 1200, 900), fill=_mix(background, (0, 0, 0), 0.5))
    size = 96
    while _font(size).getlength(kind.name) > 820:
        size -= 8
    draw.text((600, 780), kind.name, font=_font(size), anchor="mm", fill="white")
    draw.text(
        (600, 860), "Foto contoh · Gerai UMKM Kota Serang", font=_font(30), anchor="mm"
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


class PhotoPool:
    """Pictures drawn once per (kind, style), stored through ProductPhoto.set_image and
    shared by the demo photos; a manifest next to them finds them on the next run."""

    MANIFEST = "demo/photo-pool.json"
    FILE_FIELDS = ("large", "medium", "thumbnail")

    def __init__(self):
        self.entries = {}
        self.checked = set()
        self.drawn = 0
        self.unsaved = False
        if default_storage.exists(self.MANIFEST):
            with default_storage.open(self.MANIFEST) as manifest:
                self.entries = json.load(manifest)

    @staticmethod
    def key(kind, style):
        return f"{slugify(kind.name)}-{style}"

    def get(self, kind, style):
        """The stored file names and medium size of a pool picture (filled before)."""
        return self.entries[self.key(kind, style)]

    def fill(self, wanted):
        """Draw and store the pictures of the wanted (kind, style) pairs that are not
        stored yet, in threads: Pillow releases the GIL to resize and encode."""
        missing = {}
        for kind, style in wanted:
            key = self.key(kind, style)
            if key in self.checked:
                continue
            self.checked.add(key)
            entry = self.entries.get(key)
            if entry is None or not all(
                default_storage.exists(entry[field]) for field in self.FILE_FIELDS
            ):
                missing[key] = (kind, style)
        workers = min(4, os.cpu_count() or 1)
        # set_image changes the process-wide warning filters: put them back after.
        with warnings.catch_warnings(), ThreadPoolExecutor(workers) as executor:
            stored = executor.map(lambda pair: self.store(*pair), missing.values())
            self.entries.update(zip(missing, stored, strict=True))
        self.drawn += len(missing)
        self.unsaved = self.unsaved or bool(missing)

    def store(self, kind, style):
        photo = ProductPhoto()
        photo.set_image(ContentFile(draw_picture(kind, style), name="demo.jpg"))
        entry = {field: getattr(photo, field).name for field in self.FILE_FIELDS}
        entry.update(medium_width=photo.medium_width, medium_height=photo.medium_height)
        return entry

    def save(self):
        """Write the manifest if pictures were drawn since it was last written."""
        if not self.unsaved:
            return
        if default_storage.exists(self.MANIFEST):
            default_storage.delete(self.MANIFEST)
        content = json.dumps(self.entries, indent=1, sort_keys=True).encode()
        default_storage.save(self.MANIFEST, ContentFile(content))
        self.unsaved = False


class SlugRegistry:
    """Unique slugs handed out in memory, like products.models.unique_slug but with
    the taken slugs read once instead of one query per object."""

    def __init__(self, taken):
        self.taken = set(taken)
        self.next_number = {}

    def claim(self, text, max_length=80):
        base = slugify(text)[: max_length - 6].strip("-") or "item"
        candidate = base
        if candidate in self.taken:
            number = self.next_number.get(base, 2)
            while f"{base}-{number}" in self.taken:
                number += 1
            self.next_number[base] = number + 1
            candidate = f"{base}-{number}"
        self.taken.add(candidate)
        return candidate


class Plan(NamedTuple):
    """A demo business to create, with its owner, products and their certificates;
    photos are (product, kind, style) triples until the pool has the pictures."""

    owner: object
    business: Business
    products: list
    photos: list
    certifications: list


def _backdate(model, objects):
    """bulk_create stamps created_at with now: give the rows their planned dates."""
    for obj in objects:
        obj.created_at = obj.planned_created_at
    model.objects.bulk_update(objects, ["created_at"], batch_size=BATCH_SIZE)


class Command(BaseCommand):
    help = (
        "Fill the database with demo UMKM, products, photos and displays at the real "
        "outlets, plus demo staff accounts. Safe to run again: only what is missing "
        "up to --businesses is added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--businesses",
            type=int,
            default=240,
            help="Total number of demo businesses wanted (10000 is city scale).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Seed of the random generators."
        )

    def handle(self, *args, businesses, seed, verbosity, **options):
        if businesses < 0:
            raise CommandError("--businesses cannot be negative.")
        self.verbosity = verbosity
        self.seed = seed
        self.now = timezone.now()
        self.today = timezone.localdate()
        self._password = None
        self.load_reference_data()
        staff = self.ensure_staff()
        counts = self.create_businesses(businesses, staff[REVIEWING_AGENCY])
        counts["displays"] = self.create_displays(staff)
        self.report(counts, businesses)

    def log(self, message):
        if self.verbosity >= 1:
            self.stdout.write(message)

    def password(self):
        """One hash for every demo account: hashing 10,000 times would take minutes."""
        if self._password is None:
            self._password = make_password(DEMO_PASSWORD)
        return self._password

    def load_reference_data(self):
        self.kelurahan = list(Kelurahan.objects.select_related("kecamatan"))
        self.kelurahan.sort(key=lambda kelurahan: kelurahan.code)
        random.Random(f"{self.seed}:kelurahan").shuffle(self.kelurahan)
        self.categories = Category.objects.in_bulk(field_name="slug")
        self.outlets = list(
            Outlet.objects.filter(slug__in=OUTLET_SLUGS)
            .select_related("agency")
            .order_by("slug")
        )
        categories = {kind.category for kind in KINDS.values()}
        if (
            not self.kelurahan
            or not categories <= set(self.categories)
            or len(self.outlets) != len(OUTLET_SLUGS)
        ):
            raise CommandError(
                "Reference data (kelurahan, categories, outlets) is missing: run "
                "`manage.py migrate` first."
            )

    def agencies(self):
        """The agencies managing the real outlets, each once."""
        by_slug = {outlet.agency.slug: outlet.agency for outlet in self.outlets}
        return [by_slug[slug] for slug in sorted(by_slug)]

    def ensure_staff(self):
        """A demo superuser and one staff member per outlet agency, by agency slug."""
        User = get_user_model()
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            User.objects.create(
                email=ADMIN_EMAIL,
                full_name="Admin Demo",
                password=self.password(),
                is_staff=True,
                is_superuser=True,
            )
        staff = {}
        for agency in self.agencies():
            user, _ = User.objects.get_or_create(
                email=f"staf.{agency.slug}@{DEMO_DOMAIN}",
                defaults={
                    "full_name": f"Staf {agency.short_name} (demo)",
                    "password": self.password(),
                    "is_staff": True,
                },
            )
            agency.members.add(user)
            staff[agency.slug] = user
        return staff

    def demo_owner_numbers(self):
        emails = (
            get_user_model()
            .objects.filter(
                email__startswith=OWNER_PREFIX, email__endswith=f"@{DEMO_DOMAIN}"
            )
            .values_list("email", flat=True)
        )
        local_parts = (email.partition("@")[0] for email in emails)
        return {
            int(part.removeprefix(OWNER_PREFIX))
            for part in local_parts
            if part.removeprefix(OWNER_PREFIX).isdigit()
        }

    def create_businesses(self, total, reviewer):
        counts = dict.fromkeys(
            ["businesses", "products", "photos", "certifications", "pool"], 0
        )
        existing = self.demo_owner_numbers()
        self.owner_count = max([total, *existing])
        numbers = [n for n in range(1, total + 1) if n not in existing]
        if not numbers:
            return counts
        self.business_slugs = SlugRegistry(
            Business.objects.values_list("slug", flat=True)
        )
        self.product_slugs = SlugRegistry(
            Product.objects.values_list("slug", flat=True)
        )
        self.nibs = set(Business.objects.exclude(nib="").values_list("nib", flat=True))
        pool = PhotoPool()
        for start in range(0, len(numbers), BATCH_SIZE):
            plans = [
                self.plan_business(number, reviewer)
                for number in numbers[start : start + BATCH_SIZE]
            ]
            pool.fill((kind, style) for plan in plans for _, kind, style in plan.photos)
            photos = [
                ProductPhoto(product=product, position=style, **pool.get(kind, style))
                for plan in plans
                for product, kind, style in plan.photos
            ]
            with transaction.atomic():
                self.save_plans(plans, photos)
            pool.save()
            for plan in plans:
                counts["businesses"] += 1
                counts["products"] += len(plan.products)
                counts["photos"] += len(plan.photos)
                counts["certifications"] += len(plan.certifications)
            done = counts["businesses"]
            if len(numbers) > PROGRESS_EVERY and (
                done % PROGRESS_EVERY == 0 or done == len(numbers)
            ):
                self.log(f"  {done:,}/{len(numbers):,} businesses")
        counts["pool"] = pool.drawn
        self.analyze([get_user_model(), Business, Product, ProductPhoto, Certification])
        return counts

    def analyze(self, models):
        """Refresh PostgreSQL's statistics after a bulk load: until autovacuum gets
        to it, the planner takes the tables for nearly empty and picks slow plans."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in models:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"ANALYZE {table}")

    def save_plans(self, plans, photos):
        get_user_model().objects.bulk_create([plan.owner for plan in plans])
        businesses = [plan.business for plan in plans]
        Business.objects.bulk_create(businesses)
        products = [product for plan in plans for product in plan.products]
        Product.objects.bulk_create(products)
        ProductPhoto.objects.bulk_create(photos)
        Certification.objects.bulk_create(
            [certification for plan in plans for certification in plan.certifications]
        )
        _backdate(Business, businesses)
        _backdate(Product, products)

    def plan_business(self, number, reviewer):
        """A demo owner and business with products, certificates and the photos they
        need (product, kind, style), unsaved; always the same for a seed and number."""
        rng = random.Random(f"{self.seed}:business:{number}")
        kelurahan = self.kelurahan[(number - 1) % len(self.kelurahan)]
        kasemen = kelurahan.kecamatan.name == "Kasemen"
        weights = [
            line.weight * (3 if kasemen and line.coastal else 1) for line in LINES
        ]
        line = rng.choices(LINES, weights=weights)[0]
        woman = rng.random() < 0.6
        first = rng.choice(WOMEN if woman else MEN)
        full_name = first
        if rng.random() < 0.7:
            full_name += " " + rng.choice(WOMEN_SURNAMES if woman else MEN_SURNAMES)
        size = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()))[0]
        # By number, so that the default demo of 240 has a medium enterprise too.
        if number % MEDIUM_EVERY == 200:
            size = Business.Size.MEDIUM
        title = rng.choice(WOMEN_TITLES if woman else MEN_TITLES)
        name = self.business_name(rng, line, f"{title} {first}", kelurahan, size)
        whatsapp = f"62{rng.choice(WHATSAPP_PREFIXES)}{rng.randrange(10**7, 10**9)}"
        created_at = self.now - datetime.timedelta(days=rng.uniform(20, 1100))
        changed_at, reason, changed_by = None, "", None
        # By number, not chance, so that even a tiny demo has items waiting for staff.
        if number % 8 == 3:
            status = Business.Status.PENDING
            created_at = self.now - datetime.timedelta(days=rng.uniform(0.2, 20))
        else:
            changed_by = reviewer
            changed_at = min(
                created_at + datetime.timedelta(days=rng.uniform(0.5, 10)), self.now
            )
            status = Business.Status.VERIFIED
            if number % 25 == 12:
                status = Business.Status.REJECTED
                reason = rng.choice(BUSINESS_REJECTIONS)
        owner = get_user_model()(
            email=f"{OWNER_PREFIX}{number}@{DEMO_DOMAIN}",
            full_name=full_name,
            whatsapp=whatsapp,
            password=self.password(),
            date_joined=created_at - datetime.timedelta(minutes=rng.randint(5, 600)),
        )
        street = rng.choice([*STREETS, f"Raya {kelurahan.name}"])
        address = f"Jl. {street} No. {rng.randint(1, 250)}"
        if rng.random() < 0.4:
            address += f", RT {rng.randint(1, 9):02d}/RW {rng.randint(1, 6):02d}"
        opening = rng.choice(BUSINESS_OPENINGS).format(
            name=name,
            size=size,
            kelurahan=kelurahan.name,
            kecamatan=kelurahan.kecamatan.name,
            line=line.summary,
            year=rng.randint(1995, 2024),
        )
        business = Business(
            owner=owner,
            name=name,
            slug=self.business_slugs.claim(name),
            size=size,
            nib=self.nib(rng, size),
            kelurahan=kelurahan,
            address=address,
            whatsapp=whatsapp,
            description=f"{opening} {rng.choice(BUSINESS_CLOSINGS)}",
            status=status,
            status_reason=reason,
            status_changed_at=changed_at,
            status_changed_by=changed_by,
        )
        business.planned_created_at = created_at
        products, photos, certifications = [], [], []
        count = rng.choice([2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8])
        if size == Business.Size.MEDIUM:
            count = rng.randint(8, 12)
        for kind, product_name in self.pick_products(rng, line, count):
            product = self.plan_product(rng, business, kind, product_name, reviewer)
            products.append(product)
            photo_count = rng.choices([0, 1, 2, 3], weights=[5, 78, 12, 5])[0]
            photos += [(product, kind, style) for style in range(photo_count)]
            certifications += self.plan_certifications(rng, product, kind, size)
        return Plan(owner, business, products, photos, certifications)

    def business_name(self, rng, line, person, kelurahan, size):
        word = rng.choice(line.words)
        place = rng.choice([kelurahan.name, kelurahan.name, kelurahan.kecamatan.name])
        pattern = rng.choices(range(5), weights=[35, 20, 20, 15, 10])[0]
        if pattern == 1 and place not in word:
            name = f"{word} {place}"
        elif pattern == 2:
            name = f"{word} {rng.choice(BRANDS)}"
        elif pattern == 3:
            name = f"{rng.choice(line.prefixes)} {word} {rng.choice(BRANDS)}"
        elif pattern == 4:
            name = f"{rng.choice(BRANDS)} {person}"
        else:
            name = f"{word} {person}"
        if size != Business.Size.MICRO and rng.random() < 0.4:
            name = f"{rng.choice(['UD', 'CV'])} {name}"
        return name

    def nib(self, rng, size):
        """A 13-digit NIB for most businesses (micro ones less often), never reused."""
        chance = {Business.Size.MICRO: 0.55, Business.Size.SMALL: 0.85}.get(size, 1)
        if rng.random() >= chance:
            return ""
        while True:
            nib = f"{rng.choice(['0220', '1203', '9120'])}{rng.randrange(10**9):09d}"
            if nib not in self.nibs:
                self.nibs.add(nib)
                return nib

    @staticmethod
    def pick_products(rng, line, count):
        """Distinct products of the line; its first kinds are picked more often."""
        keyed = []
        for rank, kind_name in enumerate(line.kinds):
            kind = KINDS[kind_name]
            weight = len(line.kinds) - rank
            keyed += [
                (rng.random() ** (1 / weight), kind, name) for name in kind.products
            ]
        keyed.sort(key=lambda item: item[0], reverse=True)
        return [(kind, name) for _, kind, name in keyed[:count]]

    def plan_product(self, rng, business, kind, name, reviewer):
        unit, low, high = rng.choice(kind.units)
        group = "food" if kind.category in FOOD_CATEGORIES else "craft"
        if kind.category == "kecantikan":
            group = "care"
        closings = " ".join(rng.sample(PRODUCT_CLOSINGS[group], 2))
        product = Product(
            business=business,
            name=name,
            slug=self.product_slugs.claim(name),
            category=self.categories[kind.category],
            description=f"{kind.about} {closings}",
            price=_rupiah(rng, low, high),
            unit=unit,
        )
        start = business.status_changed_at or business.planned_created_at
        recent = max(start, self.now - datetime.timedelta(days=14))
        if business.status == Business.Status.VERIFIED:
            statuses = PRODUCT_STATUS_WEIGHTS
            status = rng.choices(list(statuses), weights=list(statuses.values()))[0]
        elif business.status == Business.Status.PENDING:
            status = rng.choice([Product.Status.PENDING, Product.Status.DRAFT])
        else:
            status = Product.Status.DRAFT
            recent = business.planned_created_at
        if status in (Product.Status.DRAFT, Product.Status.PENDING):
            product.planned_created_at = _between(rng, recent, self.now)
        else:
            created_at = _between(
                rng, start, self.now - datetime.timedelta(days=rng.uniform(1, 5))
            )
            product.planned_created_at = created_at
            product.status_changed_at = min(
                created_at + datetime.timedelta(days=rng.uniform(0.2, 4)), self.now
            )
            product.status_changed_by = reviewer
            if status == Product.Status.REJECTED:
                product.status_reason = rng.choice(PRODUCT_REJECTIONS)
            elif status == Product.Status.WITHDRAWN:
                product.status_changed_by = business.owner
        product.status = status
        return product

    def expiry(self, rng, expired_share):
        if rng.random() < expired_share:
            return self.today - datetime.timedelta(days=rng.randint(5, 300))
        return self.today + datetime.timedelta(days=rng.randint(60, 1500))

    def plan_certifications(self, rng, product, kind, size):
        """Halal for about half the food (a few expired), P-IRT for home industry and
        BPOM MD for some packaged food of larger makers."""
        if kind.category not in FOOD_CATEGORIES:
            return []
        certifications = []
        halal_share = 0.9 if size == Business.Size.MEDIUM else 0.45
        if rng.random() < halal_share:
            certifications.append(
                Certification(
                    product=product,
                    kind=Certification.Kind.HALAL,
                    number=f"ID36110{rng.randrange(10**12):012d}",
                    valid_until=self.expiry(rng, expired_share=0.08),
                )
            )
        if kind.bpom and size != Business.Size.MICRO and rng.random() < 0.35:
            certifications.append(
                Certification(
                    product=product,
                    kind=Certification.Kind.BPOM_MD,
                    number=f"MD {rng.randrange(10**11, 10**12)}",
                    valid_until=self.expiry(rng, expired_share=0),
                )
            )
        elif rng.random() < 0.5:
            valid_until = self.expiry(rng, expired_share=0.05)
            # Type, food group, Kota Serang's code, serial and the expiry year.
            number = (
                f"{rng.randint(1, 5)}{rng.randint(1, 15):02d}3673"
                f"{rng.randrange(10**6):06d}{valid_until.year % 100:02d}"
            )
            certifications.append(
                Certification(
                    product=product,
                    kind=Certification.Kind.PIRT,
                    number=number,
                    valid_until=valid_until,
                )
            )
        return certifications

    def create_displays(self, staff):
        """Top up each outlet to its planned numbers of approved displays (below its
        capacity), waiting requests and past displays, from public demo products."""
        demo_products = Product.objects.filter(
            business__owner__email__endswith=f"@{DEMO_DOMAIN}"
        )
        public = [
            (pk, category, owner, approved_at or self.now)
            for pk, category, owner, approved_at in demo_products.public()
            .order_by("pk")
            .values_list("pk", "category__slug", "business__owner", "status_changed_at")
        ]
        if not public:
            return 0
        displays = []
        for outlet in self.outlets:
            rng = random.Random(f"{self.seed}:displays:{outlet.slug}")
            # Targets first, so the draws do not depend on what already exists.
            want_approved = max(0, outlet.display_capacity - rng.randint(2, 10))
            want_requested = rng.randint(3, 6)
            want_past = rng.randint(4, 8)
            at_outlet = Display.objects.filter(outlet=outlet)
            demo_at_outlet = at_outlet.filter(product__in=demo_products)
            open_products = set(at_outlet.open().values_list("product", flat=True))
            candidates = [row for row in public if row[0] not in open_products]
            rng.shuffle(candidates)
            preferred = OUTLET_CATEGORIES.get(outlet.slug, set())
            candidates.sort(key=lambda row: row[1] not in preferred)
            reviewer = staff[outlet.agency.slug]

            # Requests come off the end first, so small demos still have some.
            requested = demo_at_outlet.filter(status=Display.Status.REQUESTED).count()
            new_requests = min(max(0, want_requested - requested), len(candidates))
            split = len(candidates) - new_requests
            displays += [
                self.plan_request(rng, outlet, row) for row in candidates[split:]
            ]

            approved = at_outlet.filter(status=Display.Status.APPROVED).count()
            displays += [
                self.plan_approved(rng, outlet, row, reviewer)
                for row in candidates[:split][: max(0, want_approved - approved)]
            ]

            past = demo_at_outlet.exclude(status__in=Display.OPEN_STATUSES).count()
            displays += [
                self.plan_past(rng, outlet, rng.choice(public), reviewer)
                for _ in range(want_past - past)
            ]

        if displays:
            with transaction.atomic():
                Display.objects.bulk_create(displays)
                _backdate(Display, displays)
            self.analyze([Display])
        return len(displays)

    def at(self, rng, day):
        """An aware moment during office hours on the day, never in the future."""
        moment = datetime.datetime.combine(
            day, datetime.time(rng.randint(8, 15), rng.randint(0, 59))
        )
        return min(timezone.make_aware(moment), self.now)

    def plan_request(self, rng, outlet, row):
        product, _, owner, approved_at = row
        display = Display(
            outlet=outlet,
            product_id=product,
            status=Display.Status.REQUESTED,
            message=rng.choice(DISPLAY_MESSAGES),
            requested_by_id=owner,
        )
        display.planned_created_at = max(
            self.now - datetime.timedelta(days=rng.uniform(0.1, 12)), approved_at
        )
        return display

    def plan_approved(self, rng, outlet, row, reviewer):
        """Mostly open-ended and current; some with an end date, a few scheduled."""
        product, _, owner, approved_at = row
        days_public = (self.today - timezone.localdate(approved_at)).days
        roll = rng.random()
        ends_on = None
        if roll < 0.08:
            starts_on = self.today + datetime.timedelta(days=rng.randint(3, 30))
            decided_on = self.today - datetime.timedelta(days=rng.randint(0, 5))
        else:
            back = rng.randint(0, min(240 if roll >= 0.22 else 90, days_public))
            starts_on = self.today - datetime.timedelta(days=back)
            decided_on = starts_on - datetime.timedelta(days=rng.randint(0, 3))
            if roll < 0.22:
                ends_on = self.today + datetime.timedelta(days=rng.randint(5, 60))
        decided_at = max(self.at(rng, decided_on), approved_at)
        by_owner = rng.random() < 0.75
        display = Display(
            outlet=outlet,
            product_id=product,
            status=Display.Status.APPROVED,
            starts_on=starts_on,
            ends_on=ends_on,
            message=rng.choice(DISPLAY_MESSAGES) if by_owner else "",
            requested_by_id=owner if by_owner else None,
            decided_by=reviewer,
            decided_at=decided_at,
        )
        display.planned_created_at = max(
            decided_at - datetime.timedelta(days=rng.uniform(0.5, 6)), approved_at
        )
        return display

    def plan_past(self, rng, outlet, row, reviewer):
        """An ended display, a rejected request or one the owner cancelled."""
        product, _, owner, approved_at = row
        display = Display(
            outlet=outlet,
            product_id=product,
            message=rng.choice(DISPLAY_MESSAGES),
            requested_by_id=owner,
        )
        status = rng.choices(
            [Display.Status.ENDED, Display.Status.REJECTED, Display.Status.CANCELLED],
            weights=[7, 2, 1],
        )[0]
        days_public = (self.today - timezone.localdate(approved_at)).days
        if status == Display.Status.ENDED and days_public < 45:
            status = Display.Status.REJECTED
        display.status = status
        if status == Display.Status.ENDED:
            back = rng.randint(45, min(420, days_public))
            display.starts_on = self.today - datetime.timedelta(days=back)
            display.ends_on = display.starts_on + datetime.timedelta(
                days=rng.randint(14, min(100, back - 7))
            )
            display.decided_at = max(self.at(rng, display.starts_on), approved_at)
        elif status == Display.Status.REJECTED:
            display.decision_reason = rng.choice(DISPLAY_REJECTIONS)
            display.decided_at = _between(rng, approved_at, self.now)
        if display.decided_at:
            display.decided_by = reviewer
            created_at = display.decided_at - datetime.timedelta(
                days=rng.uniform(0.5, 6)
            )
        else:
            created_at = _between(rng, approved_at, self.now)
        display.planned_created_at = max(created_at, approved_at)
        return display

    def report(self, counts, total):
        """What this run created, then how to sign in."""
        if counts["businesses"]:
            self.log(
                f"Created {counts['businesses']:,} businesses with their owners, "
                f"{counts['products']:,} products, {counts['photos']:,} photos "
                f"({counts['pool']} pool pictures drawn), "
                f"{counts['certifications']:,} certifications."
            )
        else:
            self.log(f"All {total:,} demo businesses asked for are already there.")
        self.log(f"Created {counts['displays']:,} displays at the outlets.")
        width = len(f"staf.{REVIEWING_AGENCY}@{DEMO_DOMAIN}") + 2
        self.log(f"\nDemo accounts, all with the password {DEMO_PASSWORD!r}:")
        self.log(f"  {ADMIN_EMAIL:<{width}}superuser")
        for agency in self.agencies():
            email = f"staf.{agency.slug}@{DEMO_DOMAIN}"
            self.log(f"  {email:<{width}}staff of {agency.short_name}")
        if self.owner_count:
            self.log(
                f"  {OWNER_PREFIX}1@{DEMO_DOMAIN} … {OWNER_PREFIX}{self.owner_count}@"
                f"{DEMO_DOMAIN}: business owners"
            )
