"""Words and figures the seed_demo command draws its demo catalogue from: kinds of
product and the trades that make them, people's names, brands, streets, messages and
the colours of the placeholder photos. Data only; the command holds the logic."""

from typing import NamedTuple

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
