"""Fill the database with a demo catalogue of Kota Serang UMKM: owners, businesses,
products with photos and certificates, displays at the three real outlets, and staff
accounts to sign in to the admin.

Everything comes from random.Random(seed), one generator per business and per outlet,
so a given --seed always gives the same data and a larger --businesses only adds the
businesses after the existing ones. Demo owners are numbered (pemilik<N>@ the demo
domain); a second run with the same size creates nothing. Product pictures come from
a small pool drawn by outlets.management.demo_images and stored once through
ProductPhoto.set_image; demo photo rows point at the pool's files. The words come
from outlets.management.demo_data.

With DEBUG off it refuses to run unless --force is given: every demo account, the
superuser included, has the published password DEMO_PASSWORD.
"""

import datetime
import json
import random
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.roles import CURATOR, VERIFIER
from accounts.two_factor import new_recovery_codes
from outlets.management.demo_data import (
    BRANDS,
    BUSINESS_CLOSINGS,
    BUSINESS_OPENINGS,
    BUSINESS_REJECTIONS,
    DISPLAY_MESSAGES,
    DISPLAY_REJECTIONS,
    FOOD_CATEGORIES,
    KINDS,
    LINES,
    MEN,
    MEN_SURNAMES,
    MEN_TITLES,
    OUTLET_CATEGORIES,
    PRODUCT_CLOSINGS,
    PRODUCT_REJECTIONS,
    STREETS,
    WHATSAPP_PREFIXES,
    WOMEN,
    WOMEN_SURNAMES,
    WOMEN_TITLES,
)
from outlets.management.demo_images import draw_picture
from outlets.models import Display, LabelScan, Outlet
from products.models import (
    Business,
    Category,
    Certification,
    Kelurahan,
    Product,
    ProductCount,
    ProductPhoto,
    SearchMiss,
    free_slug,
    slug_base,
)
from serang_umkm.page_cache import invalidate_public_pages

DEMO_DOMAIN = "demo.gerai-umkm.test"
DEMO_PASSWORD = "serang-demo-2026"
OWNER_PREFIX = "pemilik"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
OUTLET_SLUGS = ["gerai-umkm-cipare", "gerai-umkm-kasemen", "iwak-banten"]
# The agency for cooperatives and SMEs verifies businesses and reviews products.
REVIEWING_AGENCY = "dinkopukmperindag"
BATCH_SIZE = 500
# How many demo products residents visited in the last 30 days (create_counts).
COUNTED_PRODUCTS = 300
# What residents searched for and nobody offers yet, with searches per day.
DEMO_SEARCH_MISSES = [
    ("kopi luwak", 3),
    ("rendang", 2),
    ("tenun baduy", 1.5),
    ("sepatu kulit", 1),
    ("madu hutan", 0.8),
    ("keramik", 0.5),
]
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
        """The stored file names and medium size of a pool picture, drawn and stored
        first if its files are missing."""
        key = self.key(kind, style)
        if key not in self.checked:
            self.checked.add(key)
            entry = self.entries.get(key)
            if entry is None or not all(
                default_storage.exists(entry[field]) for field in self.FILE_FIELDS
            ):
                self.entries[key] = self.store(kind, style)
                self.drawn += 1
                self.unsaved = True
        return self.entries[key]

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
    """Unique slugs handed out in memory by products.models.unique_slug's rule
    (free_slug), with the taken slugs read once instead of once per object."""

    def __init__(self, taken):
        self.taken = set(taken)
        self.next_number = {}

    def claim(self, text, max_length=80):
        base = slug_base(text, max_length)
        # The same rule as unique_slug; numbers below next_number are known taken.
        candidate = free_slug(base, self.taken, self.next_number.get(base, 2))
        if candidate != base:
            self.next_number[base] = int(candidate.rpartition("-")[2]) + 1
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
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off, e.g. on a staging server.",
        )

    def handle(self, *args, businesses, seed, force, verbosity, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: seed_demo adds demo data and accounts with known "
                "passwords, a superuser among them. Use --force if this database "
                "really is for a demo."
            )
        if businesses < 0:
            raise CommandError("--businesses cannot be negative.")
        self.verbosity = verbosity
        self.seed = seed
        self.now = timezone.now()
        self.today = timezone.localdate()
        self._password = None
        self.load_reference_data()
        staff = self.ensure_staff()
        self.codes = self.recovery_codes()
        counts = self.create_businesses(businesses, staff[REVIEWING_AGENCY])
        counts["displays"] = self.create_displays(staff)
        counts["counts"] = self.create_counts()
        # Bulk inserts send no signals: cached public pages must be dropped here.
        invalidate_public_pages()
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
        """A demo superuser and one staff member per outlet agency, by agency slug,
        in the staff groups of their agency's work."""
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
            # Every agency curates its outlets; Dinas Koperasi also verifies.
            roles = [CURATOR]
            if agency.slug == REVIEWING_AGENCY:
                roles.append(VERIFIER)
            user.groups.add(*Group.objects.filter(name__in=roles))
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
        Product.objects.filter(search_vector__isnull=True).update_search_vectors()
        self.analyze([get_user_model(), Business, Product, ProductPhoto, Certification])
        return counts

    def analyze(self, models):
        """Vacuum and refresh PostgreSQL's statistics after a bulk load: until
        autovacuum gets to it, the planner takes the tables for nearly empty (or
        bloated by the search-vector update) and picks slow plans."""
        if connection.vendor != "postgresql":
            return
        # VACUUM cannot run inside a transaction (as in tests); ANALYZE can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in models:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"{command} {table}")

    def save_plans(self, plans, photos):
        get_user_model().objects.bulk_create([plan.owner for plan in plans])
        Business.objects.bulk_create([plan.business for plan in plans])
        Product.objects.bulk_create(
            [product for plan in plans for product in plan.products]
        )
        ProductPhoto.objects.bulk_create(photos)
        Certification.objects.bulk_create(
            [certification for plan in plans for certification in plan.certifications]
        )

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
        # Some traders were registered by staff (assisted registration): one in
        # twenty is still held by staff, waiting to be handed over to the account
        # its owner has since made; as many others were handed over already.
        assisted = number % 20 in (7, 17)
        handed_over_at = None
        if number % 20 == 17:
            handed_over_at = created_at + datetime.timedelta(days=rng.uniform(1, 30))
        business = Business(
            owner=None if number % 20 == 7 else owner,
            assisted_registration=assisted,
            registered_by=reviewer if assisted else None,
            handed_over_at=handed_over_at and min(handed_over_at, self.now),
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
            created_at=created_at,
        )
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
        start = business.status_changed_at or business.created_at
        recent = max(start, self.now - datetime.timedelta(days=14))
        if business.status == Business.Status.VERIFIED:
            statuses = PRODUCT_STATUS_WEIGHTS
            status = rng.choices(list(statuses), weights=list(statuses.values()))[0]
        elif business.status == Business.Status.PENDING:
            status = rng.choice([Product.Status.PENDING, Product.Status.DRAFT])
        else:
            status = Product.Status.DRAFT
            recent = business.created_at
        if status in (Product.Status.DRAFT, Product.Status.PENDING):
            product.created_at = _between(rng, recent, self.now)
        else:
            product.created_at = _between(
                rng, start, self.now - datetime.timedelta(days=rng.uniform(1, 5))
            )
            product.status_changed_at = min(
                product.created_at + datetime.timedelta(days=rng.uniform(0.2, 4)),
                self.now,
            )
            product.status_changed_by = reviewer
            if status == Product.Status.REJECTED:
                product.status_reason = rng.choice(PRODUCT_REJECTIONS)
            elif status == Product.Status.WITHDRAWN:
                product.status_changed_by = business.owner
        product.status = status
        return product

    def expiry(self, rng, expired_share, longest=1500):
        if rng.random() < expired_share:
            return self.today - datetime.timedelta(days=rng.randint(5, 300))
        return self.today + datetime.timedelta(days=rng.randint(60, longest))

    def plan_certifications(self, rng, product, kind, size):
        """Halal for about half the food (a few expired), P-IRT for home industry,
        BPOM MD for some packaged food of larger makers and a BPOM NA notification
        for some cosmetics."""
        if kind.category == "kecantikan":
            if rng.random() >= (0.3 if size == Business.Size.MICRO else 0.6):
                return []
            # A notification lasts three years: NA18, the year issued, seven digits.
            valid_until = self.expiry(rng, expired_share=0.05, longest=3 * 365)
            number = f"NA18{(valid_until.year - 3) % 100:02d}{rng.randrange(10**7):07d}"
            return [
                Certification(
                    product=product,
                    kind=Certification.Kind.BPOM_NA,
                    number=number,
                    valid_until=valid_until,
                )
            ]
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

            past = demo_at_outlet.exclude(Display.OPEN).count()
            displays += [
                self.plan_past(rng, outlet, rng.choice(public), reviewer)
                for _ in range(want_past - past)
            ]

        if displays:
            Display.objects.bulk_create(displays)
            self.analyze([Display])
        return len(displays)

    def create_counts(self):
        """Thirty days of what residents did, for the owners' and staff's charts:
        page views of the most visited demo products (a few hundred: most products
        have none, as in a real city), WhatsApp taps, scans of the labels of what
        is on display now, and searches that found nothing. Only once: a demo
        that has counts keeps them."""
        demo_products = Product.objects.filter(
            business__owner__email__endswith=f"@{DEMO_DOMAIN}"
        ).public()
        if ProductCount.objects.filter(product__in=demo_products).exists():
            return 0
        rng = random.Random(f"{self.seed}:counts")
        visited = list(
            demo_products.order_by("pk").values_list("pk", "business__owner__email")
        )
        rng.shuffle(visited)
        # The first demo owner's products among them, to sign in and see charts.
        first_owner = f"{OWNER_PREFIX}1@{DEMO_DOMAIN}"
        visited.sort(key=lambda row: row[1] != first_owner)
        visited = [pk for pk, _owner in visited[:COUNTED_PRODUCTS]]
        days = [self.today - datetime.timedelta(days=n) for n in range(30)]
        rows = []
        for rank, pk in enumerate(visited, start=1):
            daily = 60 / rank**0.8  # a few popular products, then a long tail
            for day in days:
                views = max(0, round(rng.gauss(daily, daily / 3)))
                if views:
                    taps = sum(rng.random() < 0.08 for _ in range(views))
                    rows.append(
                        ProductCount(
                            product_id=pk, day=day, views=views, whatsapp_taps=taps
                        )
                    )
        ProductCount.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        scans = []
        on_display = Display.objects.current().filter(product__in=demo_products)
        for outlet_pk, product_pk in on_display.values_list("outlet", "product"):
            for day in days:
                if count := max(0, round(rng.gauss(1.2, 1.5))):
                    scans.append(
                        LabelScan(
                            outlet_id=outlet_pk,
                            product_id=product_pk,
                            day=day,
                            scans=count,
                        )
                    )
        LabelScan.objects.bulk_create(scans, batch_size=BATCH_SIZE)
        if not SearchMiss.objects.exists():
            SearchMiss.objects.bulk_create(
                SearchMiss(term=term, day=day, searches=searches)
                for term, weight in DEMO_SEARCH_MISSES
                for day in days
                if (searches := max(0, round(rng.gauss(weight, weight / 2))))
            )
        return len(rows) + len(scans)

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
        display.created_at = max(
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
        display.created_at = max(
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
        display.created_at = max(created_at, approved_at)
        return display

    def recovery_codes(self):
        """Fresh recovery codes for the demo superuser and staff, by email: the
        admin asks staff for a second factor (accounts/two_factor.py), and a
        newcomer has no authenticator app set up. Each code works once; every run
        makes new ones."""
        User = get_user_model()
        emails = [ADMIN_EMAIL] + [
            f"staf.{agency.slug}@{DEMO_DOMAIN}" for agency in self.agencies()
        ]
        return {
            user.email: new_recovery_codes(user)
            for user in User.objects.filter(email__in=emails)
        }

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
        if counts["counts"]:
            self.log(f"Created {counts['counts']:,} daily counts (30 days).")
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
        self.log(
            "\nThe admin (/admin/) also asks staff for a code: type one of these "
            "recovery codes (each works once; `make run` prints new ones), or set up "
            "an authenticator app at /akun/dua-langkah/ after signing in."
        )
        for email, codes in self.codes.items():
            self.log(f"  {email:<{width}}{'  '.join(codes[:3])}")
