"""A register of UMKM as an Indonesian agency really keeps it in Excel, with the
outcome an import should reach for each row: for the import tests (small sizes)
and the benchmark (10,000 businesses and 10,000 products).

    register = build_register(businesses=60, products=60, seed=1)
    register.content        # the .xlsx file (bytes), the same for the same arguments
    register.business_rows  # one dict per row of sheet "DATA UMKM" below the header
    register.product_rows   # one dict per row of sheet "PRODUK" below the header

Sheet 1, "DATA UMKM" (the first sheet): title lines, a header over two rows with
merged cells (ALAMAT over JALAN / KELURAHAN / KECAMATAN, the other headers merged
down both rows), sometimes a row numbering the columns (1, 2, 3 … or (1), (2) …),
then the data with section rows ("A. KECAMATAN SERANG"), blank rows, exact
duplicate rows, pre-numbered empty rows, a totals row ("JUMLAH", the count in the
NO column) and the signature block ("Mengetahui," / "Serang, 12 Desember 2025" /
"KEPALA DINAS …" / a name / "NIP. …"). Sheet 2, "PRODUK": a title, a one-row header
and the products, each naming its business by NIB or, without one, by name and
WhatsApp number.

Every business row dict has `excel_row` (the row number Excel shows) and `kind`:

- "valid": name, owner_name, nib (13 digits, "" for none), whatsapp ("62812…"),
  kelurahan, kecamatan (the real names, the kelurahan's own kecamatan), size
  ("mikro" / "kecil" / "menengah"), address, jenis_usaha (as written), key (the
  nib, or (name, whatsapp) without one), warnings ([] or ["kecamatan_mismatch"]:
  the KECAMATAN cell names another kecamatan than the kelurahan's, which has a
  name no other kelurahan of the city has).
- "invalid": column (the header as written in the sheet), reason (a tag of
  BUSINESS_REASONS), name; "kelurahan_suggest" rows add suggestion (the kelurahan
  meant) and suggestion_kecamatan; "whatsapp" rows add detail ("toll_free" or
  "landline").
- "duplicate": duplicate_of (the excel_row of the same business earlier, whose
  cells it repeats exactly), key, name.
- "skipped": reason, one of SKIPPED_REASONS.

Valid, invalid and duplicate rows also have raw: {field: the cell's value as
written}, fields as in Register.business_headers.

Every product row dict has excel_row and kind:

- "valid": business (the business's key, as above), business_excel_row, name,
  category (the name of the project's Category that JENIS PRODUK maps to through
  ALIASES), price (int rupiah), unit.
- "invalid": column, reason (a tag of PRODUCT_REASONS).
- "duplicate": duplicate_of (the excel_row it repeats), business, name.
- "skipped": reason ("blank" or "note").

The NIK column holds 16-digit numbers (as text or number cells): personal data an
import must ignore, never store.
"""

import datetime
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from random import Random

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

BUSINESS_SHEET = "DATA UMKM"
PRODUCT_SHEET = "PRODUK"

# JENIS PRODUK as agencies write it → the name of the project's Category (the data
# migration products/migrations/0002_kelurahan_and_categories.py). Compare the
# keys in any case and spacing; a term whose category is not in the database is
# never written.
ALIASES = {
    "Kuliner": "Makanan",
    "Makanan": "Makanan",
    "Makanan Olahan": "Makanan",
    "Minuman": "Minuman",
    "Makanan Ringan": "Camilan & kue",
    "Camilan": "Camilan & kue",
    "Kue": "Camilan & kue",
    "Oleh-oleh": "Oleh-oleh khas Serang",
    "Oleh-Oleh Khas": "Oleh-oleh khas Serang",
    "Kopi": "Kopi & teh",
    "Kriya": "Kerajinan",
    "Kerajinan": "Kerajinan",
    "Kerajinan Tangan": "Kerajinan",
    "Fashion": "Fesyen & batik",
    "Fesyen": "Fesyen & batik",
    "Busana": "Fesyen & batik",
    "Batik": "Fesyen & batik",
    "Herbal": "Herbal & jamu",
    "Jamu": "Herbal & jamu",
    "Kosmetik": "Kecantikan & perawatan",
    "Kecantikan": "Kecantikan & perawatan",
}

# Why a business row must be refused:
BUSINESS_REASONS = (
    "nib_scientific",  # NIB is text like "9.12E+12": Excel lost its digits
    "whatsapp",  # a toll-free (0800 …) or landline ((0254) …) number
    "kelurahan_suggest",  # a one-letter typo of one kelurahan (suggest it)
    "outside_city",  # a place outside Kota Serang (Cilegon, Kabupaten Serang)
)
BUSINESS_WARNINGS = ("kecamatan_mismatch",)
PRODUCT_REASONS = (
    "price",  # "gratis", "nego", "Hubungi penjual"
    "unknown_business",  # an NIB, or a name and WhatsApp number, of no business
)
SKIPPED_REASONS = (
    "column_numbers",  # the row numbering the columns under the header
    "section",  # "A. KECAMATAN SERANG"
    "blank",
    "numbered_empty",  # a NO and nothing else
    "total",  # JUMLAH
    "signature",  # "Mengetahui,", "Serang, 12 Desember 2025", "NIP. …"
    "note",  # "Keterangan: …" under the products
)

# Rates of each mess among the business rows (at least one each from 20 rows).
DUPLICATE_RATE = 0.03
INVALID_RATE = 0.015  # each of BUSINESS_REASONS
MISMATCH_RATE = 0.02
NO_NIB_RATE = 0.15
BLANK_RATE = 0.01
PRODUCT_DUPLICATE_RATE = 0.02
PRODUCT_INVALID_RATE = 0.015  # each of PRODUCT_REASONS
PRODUCT_NO_NIB_RATE = 0.10

FIXED_TIME = (2025, 12, 12, 8, 0, 0)

# Places outside Kota Serang: (kecamatan, kelurahan/desa) of Kota Cilegon and
# Kabupaten Serang.
OUTSIDE_PLACES = [
    ("Cilegon", "Ciwedus"),
    ("Cibeber", "Kalitimbang"),
    ("Jombang", "Masigit"),
    ("Purwakarta", "Kotasari"),
    ("Grogol", "Rawa Arum"),
    ("Ciruas", "Ranjeng"),
    ("Kramatwatu", "Pejaten"),
    ("Anyer", "Tambang Ayam"),
]

# Product types: names (variants), JENIS PRODUK terms, units, price range (Rp).
PRODUCT_TYPES = {
    "kuliner": [
        (
            ["Sate Bandeng", "Sate Bandeng Original", "Sate Bandeng Pedas"],
            ["Kuliner", "Oleh-oleh", "Oleh-Oleh Khas", "Makanan"],
            ["ekor", "pcs", "box"],
            (35_000, 120_000),
        ),
        (
            ["Emping Melinjo", "Emping Melinjo 250 gr", "Emping Pedas Manis"],
            ["Oleh-oleh", "Makanan Ringan", "Camilan"],
            ["bungkus", "kg", "toples"],
            (15_000, 90_000),
        ),
        (
            ["Dodol Jawara", "Dodol Durian", "Dodol Ketan Hitam"],
            ["Oleh-oleh", "Kue", "Makanan Ringan"],
            ["bungkus", "box", "kotak"],
            (10_000, 60_000),
        ),
        (
            ["Rabeg Daging", "Rabeg Kambing Khas Serang"],
            ["Kuliner", "Makanan", "Makanan Olahan"],
            ["porsi", "cup", "box"],
            (20_000, 75_000),
        ),
        (
            ["Keripik Pisang", "Keripik Singkong Balado", "Kerupuk Ikan Tenggiri"],
            ["Makanan Ringan", "Camilan", "Kuliner"],
            ["bungkus", "pack", "kg"],
            (5_000, 45_000),
        ),
        (
            ["Kue Gapit", "Kue Cucur", "Bolu Pisang", "Nastar"],
            ["Kue", "Makanan Ringan"],
            ["toples", "box", "pcs", "loyang"],
            (2_000, 85_000),
        ),
        (
            ["Nasi Uduk", "Pecak Bandeng", "Otak-otak", "Bandeng Presto"],
            ["Kuliner", "Makanan", "Makanan Olahan"],
            ["porsi", "bungkus", "ekor"],
            (8_000, 65_000),
        ),
        (
            ["Es Kelapa Muda", "Sirup Kelapa", "Sari Buah Salak", "Wedang Jahe"],
            ["Minuman", "Kuliner"],
            ["botol", "gelas", "cup", "liter"],
            (4_000, 40_000),
        ),
        (
            ["Kopi Bubuk Robusta", "Kopi Banten", "Teh Tarik"],
            ["Kopi", "Minuman"],
            ["bungkus", "pack", "kg"],
            (12_000, 150_000),
        ),
    ],
    "kriya": [
        (
            ["Gerabah Bumijaya", "Kendi Gerabah", "Pot Tanah Liat"],
            ["Kriya", "Kerajinan", "Kerajinan Tangan"],
            ["pcs", "buah", "set"],
            (15_000, 350_000),
        ),
        (
            ["Tas Anyaman Pandan", "Tikar Pandan", "Bakul Bambu"],
            ["Kriya", "Kerajinan", "Kerajinan Tangan"],
            ["pcs", "buah", "lembar"],
            (20_000, 250_000),
        ),
        (
            ["Golok Sulangkar", "Miniatur Masjid Agung Banten", "Kaligrafi Kayu"],
            ["Kriya", "Kerajinan"],
            ["pcs", "buah", "set"],
            (50_000, 1_500_000),
        ),
    ],
    "fashion": [
        (
            ["Batik Banten Motif Surosowan", "Kain Batik Cap", "Kemeja Batik"],
            ["Fashion", "Batik", "Busana", "Fesyen"],
            ["lembar", "pcs", "potong"],
            (85_000, 750_000),
        ),
        (
            ["Gamis Batik", "Kerudung Bordir", "Kaos Khas Serang"],
            ["Fashion", "Busana", "Fesyen"],
            ["pcs", "potong", "helai"],
            (45_000, 450_000),
        ),
    ],
    "herbal": [
        (
            ["Jamu Kunyit Asam", "Jamu Beras Kencur", "Madu Hutan Baduy"],
            ["Herbal", "Jamu"],
            ["botol", "bungkus", "sachet"],
            (5_000, 120_000),
        ),
    ],
    "kecantikan": [
        (
            ["Sabun Sereh", "Sabun Susu Kambing", "Lulur Tradisional"],
            ["Kosmetik", "Kecantikan"],
            ["pcs", "batang", "toples"],
            (10_000, 95_000),
        ),
    ],
}
SECTOR_WEIGHTS = {
    "kuliner": 60,
    "kriya": 15,
    "fashion": 15,
    "herbal": 6,
    "kecantikan": 4,
}
# JENIS USAHA in sheet 1 (the agency's field of business, not stored).
SECTOR_TERMS = {
    "kuliner": ["Kuliner", "KULINER", "Makanan dan Minuman", "Makanan/Minuman"],
    "kriya": ["Kriya", "Kerajinan", "KERAJINAN TANGAN"],
    "fashion": ["Fashion", "Busana", "Konveksi"],
    "herbal": ["Jamu/Herbal", "Herbal"],
    "kecantikan": ["Kosmetik", "Kecantikan"],
}
SECTOR_WORDS = {
    "kuliner": [
        "Sate Bandeng",
        "Dodol",
        "Emping",
        "Rabeg",
        "Nasi Uduk",
        "Keripik",
        "Kue",
        "Bandeng Presto",
        "Otak-otak",
        "Kopi",
        "Warung Nasi",
        "Dapur",
        "Kedai",
    ],
    "kriya": [
        "Kerajinan Gerabah",
        "Anyaman Pandan",
        "Kerajinan Bambu",
        "Golok",
        "Souvenir",
    ],
    "fashion": ["Batik", "Batik Banten", "Konveksi", "Butik", "Bordir"],
    "herbal": ["Jamu", "Herbal", "Madu"],
    "kecantikan": ["Sabun Herbal", "Rumah Cantik"],
}
BRANDS = [
    "Bumi Jaya",
    "Berkah",
    "Barokah",
    "Sultan",
    "Surosowan",
    "Al-Hikmah",
    "Karya Mandiri",
    "Sinar Banten",
    "Cahaya Baru",
    "Jawara",
    "Tirtayasa",
    "Sumber Rejeki",
    "Mekar Sari",
    "Putri Ayu",
    "Citra Rasa",
    "Dua Saudara",
    "Sehati",
    "Makmur",
    "Lestari",
    "Khas Serang",
    "Banten Lama",
    "Kaibon",
]
WOMEN = [
    "Ani",
    "Mariam",
    "Siti",
    "Nurhasanah",
    "Yuyun",
    "Enah",
    "Iis",
    "Rohmah",
    "Euis",
    "Nenden",
    "Fatimah",
    "Aminah",
    "Dewi",
    "Rina",
    "Lilis",
    "Ratna",
    "Neneng",
    "Imas",
    "Juju",
    "Eti",
]
MEN = [
    "Udin",
    "Ahmad",
    "Budi",
    "Jaya",
    "Rahmat",
    "Dedi",
    "Asep",
    "Ujang",
    "Hasan",
    "Sukri",
    "Mamat",
    "Jajang",
    "Iwan",
    "Agus",
    "Syarif",
    "Ade",
    "Encep",
    "Maman",
    "Rohim",
    "Tb. Fauzan",
]
SURNAMES = [
    "Suryani",
    "Hidayat",
    "Rahmawati",
    "Supriadi",
    "Maulana",
    "Kurniasih",
    "Nurjanah",
    "Fauzi",
    "Hamdani",
    "Sulaeman",
    "Wahyudi",
    "Komariah",
    "Setiawan",
    "Mulyani",
    "Syafei",
    "Ruhiyat",
    "Sudrajat",
    "Jamaludin",
]
HONOR_WOMEN = ["Bu", "Ibu", "Hj.", "Mpok", "Teh", "Umi"]
HONOR_MEN = ["Pak", "H.", "Kang", "Abah", "Mang"]
STREETS = [
    "Jl. Raya Serang-Pandeglang",
    "Jl. Ki Mas Jong",
    "Jl. Jend. Sudirman",
    "Jl. Maulana Yusuf",
    "Jl. Ahmad Yani",
    "Jl. Veteran",
    "Jl. Raya Banten",
    "Jl. Kitapa",
    "Jl. Trip Jamaksari",
    "Jl. Raya Petir",
    "Jl. Raya Taktakan",
    "Jl. Lingkar Selatan",
    "Jl. Syeh Nawawi Al Bantani",
    "Jl. KH. Abdul Fatah Hasan",
    "Jl. Raya Cilegon",
    "Jl. Kaujon",
]
MOBILE_PREFIXES = [
    "812",
    "813",
    "821",
    "822",
    "823",
    "852",
    "853",
    "856",
    "857",
    "858",
    "877",
    "878",
    "881",
    "895",
    "896",
    "898",
]
MONTHS = ["Desember"]


@dataclass
class Register:
    content: bytes
    business_rows: list
    product_rows: list
    seed: int = 1
    business_sheet: str = BUSINESS_SHEET
    product_sheet: str = PRODUCT_SHEET
    # field → the header as written / its column (1-based). Business fields: no,
    # name, owner_name, nik, nib, address, kelurahan, kecamatan, whatsapp,
    # jenis_usaha, size; address, kelurahan and kecamatan sit under address_group.
    business_headers: dict = field(default_factory=dict)
    business_columns: dict = field(default_factory=dict)
    business_header_rows: tuple = ()  # (top row, sub-header row)
    # Product fields: no, business_name, nib, whatsapp, name, category, price, unit.
    product_headers: dict = field(default_factory=dict)
    product_columns: dict = field(default_factory=dict)
    product_header_row: int = 0

    def businesses(self, kind=None):
        return [row for row in self.business_rows if kind in (None, row["kind"])]

    def products(self, kind=None):
        return [row for row in self.product_rows if kind in (None, row["kind"])]

    def counts(self):
        """Counter of kinds and of kind:reason (and valid:warning) per sheet."""

        def count(rows, prefix):
            counter = Counter()
            for row in rows:
                counter[f"{prefix}{row['kind']}"] += 1
                if "reason" in row:
                    counter[f"{prefix}{row['kind']}:{row['reason']}"] += 1
                for warning in row.get("warnings", ()):
                    counter[f"{prefix}{row['kind']}:{warning}"] += 1
            return counter

        return count(self.business_rows, "business:") + count(
            self.product_rows, "product:"
        )


def reference_places():
    """(kecamatan, kelurahan) names of Kota Serang, from the database."""
    from products.models import Kelurahan

    return list(
        Kelurahan.objects.order_by("kecamatan__name", "name", "code").values_list(
            "kecamatan__name", "name"
        )
    )


def reference_categories():
    from products.models import Category

    return list(
        Category.objects.order_by("position", "name").values_list("name", flat=True)
    )


def key(text):
    return " ".join(str(text).split()).casefold()


def distance(a, b):
    """Levenshtein distance."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


class Picker:
    """Options in a shuffled round first (so that each occurs at small sizes),
    then at random by weight."""

    def __init__(self, rng, options, weights=None):
        self.rng = rng
        self.options = list(options)
        self.weights = weights
        self.first = self.options[:]
        rng.shuffle(self.first)

    def __call__(self):
        if self.first:
            return self.first.pop()
        if self.weights:
            return self.rng.choices(self.options, self.weights)[0]
        return self.rng.choice(self.options)


def dotted(number):
    return f"{number:,}".replace(",", ".")


def mess_count(total, rate, minimum_from=20):
    count = round(total * rate)
    return max(1, count) if total >= minimum_from else count


class Builder:
    def __init__(self, businesses, products, seed, places, categories):
        self.rng = rng = Random(seed)
        self.seed = seed
        self.n_businesses = businesses
        self.n_products = products
        self.places = sorted({(str(k).strip(), str(n).strip()) for k, n in places})
        if not self.places:
            raise ValueError("No kelurahan: load the reference data first.")
        category_names = {key(name): name for name in categories}
        self.aliases = {
            alias: category_names[key(target)]
            for alias, target in ALIASES.items()
            if key(target) in category_names
        }
        self.product_types = {}
        for sector, types in PRODUCT_TYPES.items():
            usable = [
                (names, [a for a in terms if a in self.aliases], units, prices)
                for names, terms, units, prices in types
            ]
            usable = [kind for kind in usable if kind[1]]
            if usable:
                self.product_types[sector] = usable
        if not self.product_types:
            raise ValueError("No category of ALIASES is in the database.")
        self.sectors = list(self.product_types)
        self.sector_weights = [SECTOR_WEIGHTS[s] for s in self.sectors]

        # Places.
        self.kecamatan_names = sorted({k for k, _ in self.places})
        kecamatan_keys = {key(k) for k in self.kecamatan_names}
        name_count = Counter(key(n) for _, n in self.places)
        self.unique_kelurahan = {k for k, c in name_count.items() if c == 1}
        self.mismatch_places = [
            (k, n)
            for k, n in self.places
            if key(n) in self.unique_kelurahan and key(n) not in kecamatan_keys
        ]
        if len(self.kecamatan_names) < 2:
            self.mismatch_places = []
        real_keys = list(name_count)
        self.typos = []
        for kecamatan, name in self.places:
            if " " in name or len(name) < 6 or key(name) not in self.unique_kelurahan:
                continue
            for i in range(1, len(name) - 1):
                typo = name[:i] + name[i + 1 :]
                distances = sorted(distance(key(typo), other) for other in real_keys)
                if distances[0] == 1 and distances[1] >= 2:
                    self.typos.append((kecamatan, name, typo))
        self.outside = [
            (k, n)
            for k, n in OUTSIDE_PLACES
            if key(k) not in kecamatan_keys
            and min(distance(key(n), other) for other in real_keys) > 2
        ]

        # Sheet headers (vary with the seed).
        pick = rng.choice
        self.business_headers = {
            "no": "NO",
            "name": "NAMA USAHA",
            "owner_name": pick(["NAMA PEMILIK", "PEMILIK"]),
            "nik": pick(["NIK", "NIK PEMILIK"]),
            "nib": pick(["NIB", "NO. NIB"]),
            "address_group": pick(["ALAMAT", "ALAMAT USAHA"]),
            "address": pick(["JALAN", "JALAN/KAMPUNG", "JL/KP/RT/RW"]),
            "kelurahan": pick(["KELURAHAN", "KEL./DESA"]),
            "kecamatan": pick(["KECAMATAN", "KEC."]),
            "whatsapp": pick(["NO HP/WA", "NO. HP", "NOMOR WA", "NO. HP/WA"]),
            "jenis_usaha": pick(["JENIS USAHA", "BIDANG USAHA"]),
            "size": pick(["SKALA", "SKALA USAHA"]),
        }
        order = [
            "no",
            "name",
            "owner_name",
            "nik",
            "nib",
            "address",
            "kelurahan",
            "kecamatan",
            "whatsapp",
            "jenis_usaha",
            "size",
        ]
        self.business_columns = {name: i for i, name in enumerate(order, 1)}
        self.product_headers = {
            "no": "NO",
            "business_name": "NAMA USAHA",
            "nib": pick(["NIB", "NO. NIB"]),
            "whatsapp": pick(["NO HP/WA", "NO. WA", "NOMOR HP"]),
            "name": "NAMA PRODUK",
            "category": pick(["JENIS PRODUK", "KATEGORI", "JENIS"]),
            "price": pick(["HARGA (Rp)", "HARGA", "HARGA SATUAN (Rp)"]),
            "unit": pick(["SATUAN", "SAT."]),
        }
        self.product_columns = {
            name: i for i, name in enumerate(self.product_headers, 1)
        }
        self.title_lines = [
            "DATA UMKM KOTA SERANG TAHUN 2025",
            pick(
                [
                    "DINAS KOPERASI, UKM, PERINDUSTRIAN DAN PERDAGANGAN",
                    "DINAS KOPERASI, USAHA MIKRO, PERINDUSTRIAN DAN PERDAGANGAN "
                    "KOTA SERANG",
                ]
            ),
        ]
        if rng.random() < 0.5:
            self.title_lines.append("KEADAAN S.D. DESEMBER 2025")
        self.column_numbers = rng.choice([None, "plain", "parenthesised"])

        # Value pickers.
        self.nib_form = Picker(
            rng, ["number_sci", "number", "text", "spaced"], [35, 15, 30, 20]
        )
        self.placeholder = Picker(
            rng, ["-", 0, "Belum ada", "Dalam proses", "", "BELUM ADA", " - "]
        )
        self.phone_form = Picker(
            rng,
            ["number", "dashed", "spaced", "plus62", "62", "0", "dotted", "62dash"],
            [15, 20, 20, 10, 10, 15, 5, 5],
        )
        self.kelurahan_form = Picker(
            rng,
            [
                "plain",
                "trail",
                "lead",
                "upper",
                "lower",
                "kel_dot",
                "KEL_DOT",
                "kel",
                "KEL",
                "kelurahan",
                "kel_nospace",
            ],
            [40, 8, 3, 8, 4, 12, 6, 5, 5, 6, 3],
        )
        self.kecamatan_form = Picker(
            rng,
            [
                "plain",
                "trail",
                "upper",
                "kec_dot",
                "KEC_DOT",
                "kecamatan",
                "kec",
                "lower",
                "blank",
            ],
            [40, 8, 10, 12, 8, 8, 4, 3, 7],
        )
        self.size = Picker(
            rng,
            [
                ("Usaha Mikro", "mikro"),
                ("Mikro", "mikro"),
                ("MIKRO", "mikro"),
                ("mikro", "mikro"),
                ("USAHA MIKRO", "mikro"),
                ("Usaha Kecil", "kecil"),
                ("USAHA KECIL", "kecil"),
                ("Kecil", "kecil"),
                ("Menengah", "menengah"),
                ("USAHA MENENGAH", "menengah"),
            ],
            [25, 20, 15, 5, 15, 6, 5, 4, 3, 2],
        )
        self.section_form = Picker(rng, ["merged", "name_column"], [3, 1])
        self.nik_form = Picker(rng, ["text", "number", "empty"], [60, 35, 5])
        self.price_form = Picker(
            rng,
            [
                "rp_dot_dash",
                "number",
                "rb",
                "ribu",
                "K",
                "rp_space",
                "dots",
                "rp_nospace",
                "comma00",
            ],
            [15, 30, 6, 3, 3, 15, 20, 4, 4],
        )
        self.bad_price = Picker(rng, ["gratis", "nego", "Hubungi penjual", "GRATIS"])
        self.scientific_form = Picker(rng, ["dot", "comma", "long"])
        self.bad_phone = Picker(
            rng, ["toll_free", "landline", "toll_free_dashed", "landline_dashed"]
        )
        self.used_nibs = set()
        self.used_phones = set()

    # Values ---------------------------------------------------------------------

    def new_nib(self):
        while True:
            nib = str(self.rng.randrange(1_000_000_000_000, 10_000_000_000_000))
            if nib not in self.used_nibs:
                self.used_nibs.add(nib)
                return nib

    def new_phone(self):
        """A mobile number without the leading 0 ("81234567890")."""
        rng = self.rng
        while True:
            rest = rng.randrange(10 ** rng.choice([6, 7]), 10**8)
            local = "8" + rng.choice(MOBILE_PREFIXES)[1:] + str(rest)
            if local not in self.used_phones:
                self.used_phones.add(local)
                return local

    def phone_cell(self, local, form=None):
        """(value, number_format) of a mobile number typed in some usual form."""
        form = form or self.phone_form()
        national = "0" + local
        if form == "number":
            return int(local), "0"
        if form == "dashed":
            return f"{national[:4]}-{national[4:8]}-{national[8:]}", None
        if form == "spaced":
            return f"{national[:4]} {national[4:8]} {national[8:]}", None
        if form == "plus62":
            return f"+62 {local[:3]} {local[3:7]} {local[7:]}", None
        if form == "62":
            return "62" + local, None
        if form == "dotted":
            return f"{national[:4]}.{national[4:8]}.{national[8:]}", None
        if form == "62dash":
            return f"62-{local[:3]}-{local[3:7]}-{local[7:]}", None
        return national, None

    def nib_cell(self, nib, form=None):
        form = form or self.nib_form()
        if form == "number_sci":
            return int(nib), "0.00E+00"
        if form == "number":
            return int(nib), "0"
        if form == "spaced":
            return f"{nib[:4]} {nib[4:8]} {nib[8:]}", None
        return nib, None

    def scientific(self, nib):
        form = self.scientific_form()
        if form == "dot":
            return f"{int(nib):.2E}"
        if form == "comma":
            return f"{int(nib):.2E}".replace(".", ",")
        return f"{int(nib):.5E}"

    def nik(self, kecamatan_index):
        rng = self.rng
        day = rng.randrange(1, 29) + rng.choice([0, 40])
        digits = (
            f"3673{kecamatan_index % 6 + 1:02d}{day:02d}{rng.randrange(1, 13):02d}"
            f"{rng.randrange(55, 100):02d}{rng.randrange(1, 10_000):04d}"
        )
        form = self.nik_form()
        if form == "number":
            return int(digits), "0"
        if form == "empty":
            return rng.choice(["", "-"]), None
        return digits, None

    def kelurahan_text(self, name):
        form = self.kelurahan_form()
        return {
            "plain": name,
            "trail": name + " ",
            "lead": " " + name,
            "upper": name.upper(),
            "lower": name.lower(),
            "kel_dot": f"Kel. {name}",
            "KEL_DOT": f"KEL. {name.upper()}",
            "kel": f"Kel {name}",
            "KEL": f"KEL {name.upper()}",
            "kelurahan": f"Kelurahan {name}",
            "kel_nospace": f"Kel.{name}",
        }[form]

    def kecamatan_text(self, name, blank_allowed=True):
        form = self.kecamatan_form()
        if form == "blank" and not blank_allowed:
            form = "plain"
        return {
            "plain": name,
            "trail": name + " ",
            "upper": name.upper(),
            "kec_dot": f"Kec. {name}",
            "KEC_DOT": f"KEC. {name.upper()}",
            "kecamatan": f"Kecamatan {name}",
            "kec": f"Kec {name}",
            "lower": name.lower(),
            "blank": "",
        }[form]

    def person(self):
        rng = self.rng
        if rng.random() < 0.6:
            first, honor = rng.choice(WOMEN), rng.choice(HONOR_WOMEN)
        else:
            first, honor = rng.choice(MEN), rng.choice(HONOR_MEN)
        owner = f"{first} {rng.choice(SURNAMES)}"
        if honor in ("Hj.", "H."):
            owner = f"{honor} {owner}"
        return first, honor, owner

    def business_name(self, sector, first, honor):
        rng = self.rng
        word = rng.choice(SECTOR_WORDS[sector])
        shape = rng.random()
        if shape < 0.5:
            return f"{word} {honor} {first}"
        if shape < 0.85:
            return f"{word} {rng.choice(BRANDS)}"
        return f"{word} {first} {rng.choice(BRANDS)}"

    def address(self, kelurahan):
        rng = self.rng
        shape = rng.random()
        rt = f"RT {rng.randrange(1, 15):03d}/RW {rng.randrange(1, 10):03d}"
        if shape < 0.45:
            return f"{rng.choice(STREETS)} No. {rng.randrange(1, 250)}"
        if shape < 0.8:
            return f"Kp. {kelurahan} {rt}"
        if shape < 0.95:
            gang = rng.choice(["Gg. Masjid", "Gg. Mawar", "Gg. H. Samin", "Gg. Haji"])
            return f"{rng.choice(STREETS)} {gang} No. {rng.randrange(1, 60)}"
        return f"Link. {kelurahan} {rt}"

    def price_cell(self, low, high):
        rng = self.rng
        form = self.price_form()
        step = 1000 if form in ("rb", "ribu", "K") else 500
        price = rng.randrange(low // step, high // step + 1) * step
        text = {
            "rp_dot_dash": f"Rp. {dotted(price)},-",
            "rb": f"{price // 1000}rb",
            "ribu": f"{price // 1000} ribu",
            "K": f"{price // 1000}K",
            "rp_space": f"Rp {dotted(price)}",
            "dots": dotted(price),
            "rp_nospace": f"Rp{dotted(price)}",
            "comma00": f"{dotted(price)},00",
        }.get(form)
        if text is None:
            return price, price, "#,##0"
        return price, text, None

    # Sheet 1 --------------------------------------------------------------------

    def make_businesses(self):
        rng = self.rng
        n = self.n_businesses
        n_duplicates = mess_count(n, DUPLICATE_RATE)
        distinct = n - n_duplicates
        invalid = {reason: mess_count(n, INVALID_RATE) for reason in BUSINESS_REASONS}
        if not self.typos:
            invalid["kelurahan_suggest"] = 0
        if not self.outside:
            invalid["outside_city"] = 0
        n_valid = distinct - sum(invalid.values())
        if n_valid < 1:
            n_duplicates, invalid = 0, dict.fromkeys(invalid, 0)
            n_valid = distinct = n
        n_mismatch = mess_count(n, MISMATCH_RATE) if self.mismatch_places else 0
        n_no_nib = max(
            mess_count(n, NO_NIB_RATE, 10), min(n_valid, 7) if n >= 40 else 0
        )
        kinds = (
            [f"invalid:{r}" for r, c in invalid.items() for _ in range(c)]
            + ["mismatch"] * n_mismatch
            + ["no_nib"] * n_no_nib
        )
        kinds += ["plain"] * (distinct - len(kinds))
        kinds = kinds[:distinct]
        rng.shuffle(kinds)

        records = []
        for variant in kinds:
            records.append(self.make_business(variant))
        # Same name, another owner and phone: some names repeat across businesses,
        # at least one without an NIB (matched by name and WhatsApp number).
        valid = [r for r in records if r["kind"] == "valid"]
        no_nib = [r for r in valid if not r["nib"]]
        self.repeats = []
        if len(valid) >= 10 and no_nib:
            others = [r for r in valid if r is not no_nib[0]]
            pairs = [(no_nib[0], rng.choice(others))]
            pairs += [
                tuple(rng.sample(valid, 2)) for _ in range(max(1, len(valid) // 50))
            ]
            taken = set()
            for source, target in pairs:
                if taken & {id(source), id(target)}:
                    continue
                taken |= {id(source), id(target)}
                name = source["name"].upper() if rng.random() < 0.3 else source["name"]
                target["name"] = name
                target["raw"]["name"] = name
                target["cells"]["name"] = (name, None)
                self.repeats.append((source, target))
        # Rows in sections by kecamatan.
        by_kecamatan = {k: [] for k in self.kecamatan_names}
        for record in records:
            section = record.get("section_kecamatan") or rng.choice(
                self.kecamatan_names
            )
            by_kecamatan[section].append(record)
        sequence = []
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for index, kecamatan in enumerate(self.kecamatan_names):
            if not by_kecamatan[kecamatan]:
                continue
            letter = letters[index % 26]
            sequence.append(
                {
                    "kind": "skipped",
                    "reason": "section",
                    "text": f"{letter}. KECAMATAN {kecamatan.upper()}",
                    "form": self.section_form(),
                }
            )
            sequence.extend(by_kecamatan[kecamatan])
        # Exact duplicates, later in the file than their business.
        valid_positions = [i for i, r in enumerate(sequence) if r["kind"] == "valid"]
        duplicates = []
        if valid_positions and n_duplicates:
            originals = [sequence[i] for i in valid_positions]
            chosen = rng.sample(originals, min(n_duplicates, len(originals)))
            chosen += rng.choices(originals, k=n_duplicates - len(chosen))
            # At least one duplicate of a business without an NIB.
            if no_nib and not any(not r["nib"] for r in chosen):
                chosen[0] = no_nib[-1]
            duplicates = chosen
        position = {id(r): i for i, r in enumerate(sequence)}
        inserts = []
        for original in duplicates:
            where = rng.randrange(position[id(original)] + 1, len(sequence) + 1)
            inserts.append((where, {"kind": "duplicate", "original": original}))
        blanks = mess_count(n, BLANK_RATE)
        for _ in range(blanks):
            inserts.append(
                (
                    rng.randrange(1, len(sequence) + 1),
                    {"kind": "skipped", "reason": "blank"},
                )
            )
        inserts.sort(key=lambda item: item[0], reverse=True)
        for where, row in inserts:
            sequence.insert(where, row)
        if n >= 20:
            sequence.append({"kind": "skipped", "reason": "numbered_empty"})
            sequence.append({"kind": "skipped", "reason": "numbered_empty"})
        return sequence

    def make_business(self, variant):
        rng = self.rng
        sector = rng.choices(self.sectors, self.sector_weights)[0]
        first, honor, owner = self.person()
        name = self.business_name(sector, first, honor)
        kecamatan, kelurahan = rng.choice(self.places)
        reason = variant.partition(":")[2] if variant.startswith("invalid") else None
        record = {
            "kind": "invalid" if reason else "valid",
            "sector": sector,
            "products": [],
            "warnings": [],
        }
        written_kecamatan = None
        blank_ok = key(kelurahan) in self.unique_kelurahan
        if variant == "mismatch":
            kecamatan, kelurahan = rng.choice(self.mismatch_places)
            other = rng.choice([k for k in self.kecamatan_names if k != kecamatan])
            written_kecamatan = self.kecamatan_text(other, blank_allowed=False)
            record["warnings"].append("kecamatan_mismatch")
        written_kelurahan = self.kelurahan_text(kelurahan)
        if reason == "kelurahan_suggest":
            kecamatan, kelurahan, typo = rng.choice(self.typos)
            written_kelurahan = rng.choice(
                [typo, typo.upper(), f"Kel. {typo}", f"{typo} "]
            )
            written_kecamatan = self.kecamatan_text(kecamatan, blank_allowed=False)
            record.update(
                column=self.business_headers["kelurahan"],
                suggestion=kelurahan,
                suggestion_kecamatan=kecamatan,
            )
        elif reason == "outside_city":
            outside_kecamatan, outside_kelurahan = rng.choice(self.outside)
            written_kelurahan = rng.choice(
                [
                    f"Kel. {outside_kelurahan}",
                    outside_kelurahan,
                    f"Desa {outside_kelurahan}",
                ]
            )
            written_kecamatan = rng.choice(
                [
                    outside_kecamatan,
                    f"Kec. {outside_kecamatan}",
                    outside_kecamatan.upper(),
                ]
            )
            record["column"] = self.business_headers["kelurahan"]
            kecamatan = None
            kelurahan = outside_kelurahan
        if written_kecamatan is None:
            written_kecamatan = self.kecamatan_text(kecamatan, blank_allowed=blank_ok)
        record["section_kecamatan"] = kecamatan

        if variant == "no_nib":
            nib, nib_cell = "", (self.placeholder(), None)
        else:
            nib = self.new_nib()
            nib_cell = self.nib_cell(nib)
        if reason == "nib_scientific":
            nib_cell = (self.scientific(nib), None)
            record["column"] = self.business_headers["nib"]
        local = self.new_phone()
        phone_cell = self.phone_cell(local)
        if reason == "whatsapp":
            form = self.bad_phone()
            digits = str(rng.randrange(100_000, 1_000_000))
            text = {
                "toll_free": f"0800 1{digits[:3]} {digits[3:]}",
                "toll_free_dashed": f"0800-1-{digits}",
                "landline": f"(0254) {digits}",
                "landline_dashed": f"0254-{digits}",
            }[form]
            detail = form.removesuffix("_dashed")
            phone_cell = (text, None)
            record.update(column=self.business_headers["whatsapp"], detail=detail)
        size_text, size = self.size()
        address = self.address(kelurahan)
        raw_address = address + " " if rng.random() < 0.05 else address
        if rng.random() < 0.1:
            name = name.upper()
        raw_name = name + " " if rng.random() < 0.04 else name
        index = self.kecamatan_names.index(kecamatan) if kecamatan else 0
        record["cells"] = {
            "name": (raw_name, None),
            "owner_name": (owner.upper() if rng.random() < 0.2 else owner, None),
            "nik": self.nik(index),
            "nib": nib_cell,
            "address": (raw_address, None),
            "kelurahan": (written_kelurahan, None),
            "kecamatan": (written_kecamatan, None),
            "whatsapp": phone_cell,
            "jenis_usaha": (rng.choice(SECTOR_TERMS[sector]), None),
            "size": (size_text, None),
        }
        record["raw"] = {field: value for field, (value, _) in record["cells"].items()}
        record["name"] = raw_name.strip()
        record["local"] = local
        if reason:
            record["reason"] = reason
            record["nib"] = nib
            return record
        record.update(
            owner_name=record["raw"]["owner_name"].strip(),
            nib=nib,
            whatsapp="62" + local,
            kelurahan=kelurahan,
            kecamatan=kecamatan,
            size=size,
            address=address,
            jenis_usaha=record["raw"]["jenis_usaha"],
        )
        return record

    def write_businesses(self, ws, sequence):
        rng = self.rng
        headers = self.business_headers
        columns = self.business_columns
        width = len(columns)
        bold = Font(bold=True)
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        row = 1
        for line in self.title_lines:
            ws.cell(row, 1, line).font = Font(bold=True, size=12)
            ws.cell(row, 1).alignment = Alignment(horizontal="center")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
        row += 1  # an empty row under the titles
        top, sub = row, row + 1
        grouped = ("address", "kelurahan", "kecamatan")
        for name, column in columns.items():
            if name in grouped:
                ws.cell(sub, column, headers[name])
            else:
                ws.cell(top, column, headers[name])
                ws.merge_cells(
                    start_row=top, start_column=column, end_row=sub, end_column=column
                )
        first = columns["address"]
        ws.cell(top, first, headers["address_group"])
        ws.merge_cells(
            start_row=top, start_column=first, end_row=top, end_column=first + 2
        )
        for r in (top, sub):
            for c in range(1, width + 1):
                ws.cell(r, c).font = bold
                ws.cell(r, c).alignment = center
        for letter, size in zip(
            "ABCDEFGHIJK", [5, 32, 24, 19, 16, 34, 16, 14, 17, 16, 14], strict=True
        ):
            ws.column_dimensions[letter].width = size
        self.header_rows = (top, sub)
        row = sub + 1
        rows = []
        if self.column_numbers:
            for c in range(1, width + 1):
                value = c if self.column_numbers == "plain" else f"({c})"
                ws.cell(row, c, value).alignment = center
            rows.append(
                {"excel_row": row, "kind": "skipped", "reason": "column_numbers"}
            )
            row += 1
        number = filled = 0
        for item in sequence:
            kind = item["kind"]
            if kind == "skipped":
                reason = item["reason"]
                if reason == "section":
                    if item["form"] == "merged":
                        ws.cell(row, 1, item["text"]).font = bold
                        ws.merge_cells(
                            start_row=row, start_column=1, end_row=row, end_column=width
                        )
                    else:
                        ws.cell(row, columns["name"], item["text"]).font = bold
                elif reason == "numbered_empty":
                    number += 1
                    ws.cell(row, 1, number)
                rows.append({"excel_row": row, "kind": "skipped", "reason": reason})
                row += 1
                continue
            record = item if kind != "duplicate" else item["original"]
            number += 1
            filled += 1
            ws.cell(row, 1, number)
            for name, (value, number_format) in record["cells"].items():
                if value is None or value == "":
                    continue
                cell = ws.cell(row, columns[name], value)
                if number_format:
                    cell.number_format = number_format
            if kind == "duplicate":
                rows.append(
                    {
                        "excel_row": row,
                        "kind": "duplicate",
                        "duplicate_of": record["excel_row"],
                        "key": record["key"],
                        "name": record["name"],
                        "raw": record["raw"],
                    }
                )
            else:
                record["excel_row"] = row
                rows.append(self.business_outcome(record))
            row += 1
        # The totals row, then the signature block.
        ws.cell(row, 1, filled)
        ws.cell(row, columns["name"], rng.choice(["JUMLAH", "Jumlah", "TOTAL"]))
        ws.cell(row, columns["name"]).font = bold
        rows.append({"excel_row": row, "kind": "skipped", "reason": "total"})
        row += 1
        rows.append({"excel_row": row, "kind": "skipped", "reason": "blank"})
        row += 1
        right = columns["whatsapp"]
        day = rng.randrange(1, 29)
        lines = [
            (columns["name"], "Mengetahui,", right, f"Serang, {day} Desember 2025"),
            (
                columns["name"],
                "Kepala Bidang UKM",
                right,
                "KEPALA DINAS KOPERASI, UKM,",
            ),
            (None, None, right, "PERINDUSTRIAN DAN PERDAGANGAN KOTA SERANG"),
            (None, None, None, None),
            (None, None, None, None),
            (
                columns["name"],
                "HJ. ENAH KURNIASIH, S.E.",
                right,
                "Drs. H. AHMAD SYAFEI, M.Si",
            ),
            (
                columns["name"],
                "NIP. 19780512 200312 2 004",
                right,
                "Pembina Utama Muda",
            ),
            (None, None, right, "NIP. 19700101 199503 1 002"),
        ]
        for left, left_text, right_column, right_text in lines:
            if left:
                ws.cell(row, left, left_text)
            if right_column:
                ws.cell(row, right_column, right_text)
            reason = "signature" if left or right_column else "blank"
            rows.append({"excel_row": row, "kind": "skipped", "reason": reason})
            row += 1
        return rows

    def business_outcome(self, record):
        outcome = {"excel_row": record["excel_row"], "kind": record["kind"]}
        if record["kind"] == "invalid":
            for name in ("column", "reason", "suggestion", "suggestion_kecamatan"):
                if name in record:
                    outcome[name] = record[name]
            if "detail" in record:
                outcome["detail"] = record["detail"]
            outcome["name"] = record["name"]
        else:
            record["key"] = record["nib"] or (record["name"], record["whatsapp"])
            for name in (
                "name",
                "owner_name",
                "nib",
                "whatsapp",
                "kelurahan",
                "kecamatan",
                "size",
                "address",
                "jenis_usaha",
                "key",
                "warnings",
            ):
                outcome[name] = record[name]
        outcome["raw"] = record["raw"]
        return outcome

    # Sheet 2 --------------------------------------------------------------------

    def make_products(self, businesses):
        rng = self.rng
        m = self.n_products
        n_duplicates = mess_count(m, PRODUCT_DUPLICATE_RATE)
        invalid = {r: mess_count(m, PRODUCT_INVALID_RATE) for r in PRODUCT_REASONS}
        if not businesses:
            return [{"kind": "invalid", "reason": "unknown_business"} for _ in range(m)]
        n_valid = m - n_duplicates - sum(invalid.values())
        if n_valid < 1:
            n_duplicates, invalid, n_valid = 0, dict.fromkeys(invalid, 0), m
        with_nib = [b for b in businesses if b["nib"]]
        without = [b for b in businesses if not b["nib"]]
        n_without = mess_count(n_valid, PRODUCT_NO_NIB_RATE, 10) if without else 0
        if not with_nib:
            n_without = n_valid
        owners = []
        # Both businesses of a repeated name have a product, and some businesses
        # without an NIB.
        for source, target in self.repeats:
            owners += [source, target]
        owners += without[:3]
        owners = owners[:n_valid]
        rest_without = max(0, n_without - sum(1 for b in owners if not b["nib"]))
        owners += [rng.choice(without) for _ in range(rest_without)]
        while len(owners) < n_valid:
            owners.append(rng.choice(with_nib or without))
        products = []
        for business in owners[:n_valid]:
            product = self.make_product(business)
            if product is None:  # that business has every name already
                for _ in range(20):
                    product = self.make_product(rng.choice(businesses))
                    if product:
                        break
            if product:
                products.append(product)
        order = {id(b): i for i, b in enumerate(businesses)}
        products.sort(key=lambda p: order[id(p["business_record"])])
        inserts = []
        originals = products[:]
        for _ in range(n_duplicates):
            inserts.append(rng.choice(originals))
        for original in inserts:
            index = next(i for i, p in enumerate(products) if p is original)
            products.insert(
                rng.randrange(index + 1, len(products) + 1),
                {"kind": "duplicate", "original": original},
            )
        for reason, count in invalid.items():
            for _ in range(count):
                products.insert(
                    rng.randrange(0, len(products) + 1), self.bad_product(reason)
                )
        for _ in range(mess_count(m, BLANK_RATE)):
            products.insert(
                rng.randrange(1, len(products) + 1),
                {"kind": "skipped", "reason": "blank"},
            )
        return products

    def make_product(self, business):
        rng = self.rng
        types = self.product_types[business["sector"]]
        used = business.setdefault("product_names", set())
        for _ in range(8):
            names, terms, units, (low, high) = rng.choice(types)
            name = rng.choice(names)
            if key(name) not in used:
                break
        else:
            return None
        used.add(key(name))
        term = rng.choice(terms)
        category = self.aliases[term]
        shape = rng.random()
        if shape < 0.15:
            term = term.upper()
        elif shape < 0.2:
            term = term.lower() + " "
        price, price_value, price_format = self.price_cell(low, high)
        unit = rng.choice(units)
        raw_name = name + " " if rng.random() < 0.05 else name
        return {
            "kind": "valid",
            "business_record": business,
            "cells": {
                **self.product_business_cells(business),
                "name": (raw_name, None),
                "category": (term, None),
                "price": (price_value, price_format),
                "unit": (unit.upper() if rng.random() < 0.1 else unit, None),
            },
            "name": name,
            "category": category,
            "price": price,
        }

    def product_business_cells(self, business):
        rng = self.rng
        name = business["name"]
        if business["nib"]:
            nib_cell = self.nib_cell(business["nib"])
            if rng.random() < 0.2:
                name = name.upper()
        else:
            nib_cell = (rng.choice(["-", "", "Belum ada", "belum ada"]), None)
            shape = rng.random()
            if shape < 0.25:
                name = name.upper()
            elif shape < 0.35:
                name = name.lower() + " "
            elif shape < 0.45:
                name = name.replace(" ", "  ", 1)
        return {
            "business_name": (name, None),
            "nib": nib_cell,
            "whatsapp": self.phone_cell(business["local"]),
        }

    def bad_product(self, reason):
        rng = self.rng
        sector = rng.choice(self.sectors)
        names, terms, units, _prices = rng.choice(self.product_types[sector])
        cells = {
            "name": (rng.choice(names), None),
            "category": (rng.choice(terms), None),
            "unit": (rng.choice(units), None),
        }
        if reason == "price":
            business = rng.choice(self.valid_businesses)
            used = business.get("product_names", set())
            free = [name for name in names if key(name) not in used]
            cells["name"] = (rng.choice(free or [f"{names[0]} Spesial"]), None)
            cells.update(self.product_business_cells(business))
            cells["price"] = (self.bad_price(), None)
            column = self.product_headers["price"]
        else:
            cells["price"] = (f"Rp {dotted(rng.randrange(5, 100) * 1000)}", None)
            first, honor, _owner = self.person()
            if rng.random() < 0.5:
                cells["business_name"] = (
                    self.business_name(sector, first, honor),
                    None,
                )
                cells["nib"] = (self.new_nib(), None)
                cells["whatsapp"] = self.phone_cell(self.new_phone())
                column = self.product_headers["nib"]
            else:
                cells["business_name"] = (
                    f"{self.business_name(sector, first, honor)} {rng.choice(BRANDS)}",
                    None,
                )
                cells["nib"] = ("-", None)
                cells["whatsapp"] = self.phone_cell(self.new_phone())
                column = self.product_headers["business_name"]
        return {"kind": "invalid", "reason": reason, "column": column, "cells": cells}

    def write_products(self, ws, products):
        headers = self.product_headers
        columns = self.product_columns
        width = len(columns)
        bold = Font(bold=True)
        ws.cell(1, 1, "DAFTAR PRODUK UMKM KOTA SERANG TAHUN 2025").font = bold
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        header_row = 3
        for name, column in columns.items():
            cell = ws.cell(header_row, column, headers[name])
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for letter, size in zip(
            "ABCDEFGH", [5, 32, 16, 17, 30, 16, 16, 10], strict=True
        ):
            ws.column_dimensions[letter].width = size
        self.product_header_row = header_row
        row = header_row + 1
        rows = []
        number = 0
        for item in products:
            kind = item["kind"]
            if kind == "skipped":
                rows.append({"excel_row": row, "kind": "skipped", "reason": "blank"})
                row += 1
                continue
            record = item if kind != "duplicate" else item["original"]
            number += 1
            ws.cell(row, 1, number)
            for name, (value, number_format) in record["cells"].items():
                if value is None or value == "":
                    continue
                cell = ws.cell(row, columns[name], value)
                if number_format:
                    cell.number_format = number_format
            raw = {name: value for name, (value, _) in record["cells"].items()}
            if kind == "valid":
                record["excel_row"] = row
                business = record["business_record"]
                rows.append(
                    {
                        "excel_row": row,
                        "kind": "valid",
                        "business": business["key"],
                        "business_excel_row": business["excel_row"],
                        "name": record["name"],
                        "category": record["category"],
                        "price": record["price"],
                        "unit": record["cells"]["unit"][0].strip(),
                        "raw": raw,
                    }
                )
            elif kind == "duplicate":
                rows.append(
                    {
                        "excel_row": row,
                        "kind": "duplicate",
                        "duplicate_of": record["excel_row"],
                        "business": record["business_record"]["key"],
                        "name": record["name"],
                        "raw": raw,
                    }
                )
            else:
                rows.append(
                    {
                        "excel_row": row,
                        "kind": "invalid",
                        "column": record["column"],
                        "reason": record["reason"],
                        "raw": raw,
                    }
                )
            row += 1
        rows.append({"excel_row": row, "kind": "skipped", "reason": "blank"})
        row += 1
        ws.cell(row, 1, "Keterangan: harga dapat berubah sewaktu-waktu.")
        rows.append({"excel_row": row, "kind": "skipped", "reason": "note"})
        return rows

    # The file -------------------------------------------------------------------

    def build(self):
        sequence = self.make_businesses()
        workbook = Workbook()
        ws = workbook.active
        ws.title = BUSINESS_SHEET
        business_rows = self.write_businesses(ws, sequence)
        valid = [r for r in sequence if r["kind"] == "valid"]
        self.valid_businesses = valid
        products = self.make_products(valid)
        product_rows = self.write_products(
            workbook.create_sheet(PRODUCT_SHEET), products
        )
        moment = datetime.datetime(*FIXED_TIME)
        workbook.properties.creator = (
            "Dinas Koperasi, UKM, Perindustrian dan Perdagangan"
        )
        workbook.properties.created = moment
        buffer = io.BytesIO()
        workbook.save(buffer)
        return Register(
            content=reproducible(buffer.getvalue()),
            business_rows=business_rows,
            product_rows=product_rows,
            seed=self.seed,
            business_headers=dict(self.business_headers),
            business_columns=dict(self.business_columns),
            business_header_rows=self.header_rows,
            product_headers=dict(self.product_headers),
            product_columns=dict(self.product_columns),
            product_header_row=self.product_header_row,
        )


def reproducible(content):
    """The .xlsx with fixed timestamps (openpyxl writes the time of saving)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                    rb"\g<1>2025-12-12T08:00:00Z\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return output.getvalue()


def build_register(businesses=60, products=60, seed=1, places=None, categories=None):
    """A messy register of `businesses` business rows (valid, invalid and duplicate
    rows, besides the skipped ones) and `products` product rows, the same for the
    same arguments. places: [(kecamatan, kelurahan), …] and categories: [name, …],
    from the database by default (the reference data of the migrations)."""
    if places is None:
        places = reference_places()
    if categories is None:
        categories = reference_categories()
    return Builder(businesses, products, seed, places, categories).build()
