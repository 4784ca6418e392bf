import datetime
import re
import uuid
from functools import partial
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import LazyObject
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import WhatsAppNumberField

from . import certificates, images
from .conditions import holds
from .search import SEARCH_CONFIG
from .search import search as search_products


def delete_stored_files(sender, instance, **kwargs):
    """A post_delete receiver: once the deletion commits, remove the files the row
    stored (a logo, a photo and its variants), however it was deleted: by its owner,
    in the admin, or along with its business."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            field_file = getattr(instance, field.attname)
            if field_file.name:
                name, storage = field_file.name, field_file.storage
                transaction.on_commit(partial(storage.delete, name))


def slug_base(text, max_length=80):
    """The slug text gives before any -2, -3 suffix; room is left for one."""
    return slugify(text)[: max_length - 6].strip("-") or "item"


def free_slug(base, taken, start=2):
    """The slug rule: base if it is not among the taken slugs, else base-N for the
    lowest free N from start on (2 unless the caller knows the lower ones taken)."""
    if base not in taken:
        return base
    number = start
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def unique_slug(instance, text, max_length=80):
    """A slug from text that no other row of instance's model has: name, name-2, …
    The taken ones (name and name-<digits>, not lookalikes such as name-2x) are read
    in one query."""
    base = slug_base(text, max_length)
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    taken = others.filter(
        # The prefix uses the slug's index; the pattern drops name-other-words.
        slug__startswith=base,
        slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$",
    ).values_list("slug", flat=True)
    return free_slug(base, set(taken))


class Kecamatan(models.Model):
    """A district of Kota Serang, with its official code (Kemendagri)."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self):
        return self.name


class Kelurahan(models.Model):
    """A ward (kelurahan) within a kecamatan, with its official code."""

    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.PROTECT,
        related_name="kelurahan",
        verbose_name=_("kecamatan"),
    )
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["kecamatan__name", "name"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self):
        return self.name


class StoredValues:
    """Remembers the values of TRACKED_FIELDS (attnames) as the database holds
    them (when the object is loaded, saved or refreshed), so that what a save
    changes can be told (changed_since_stored)."""

    TRACKED_FIELDS = frozenset()
    _as_stored = None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_as_stored()
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)  # post_save receivers see the values before
        self.remember_as_stored()

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.remember_as_stored()

    def remember_as_stored(self):
        """Keep the values of TRACKED_FIELDS as the database now has them."""
        self._as_stored = {
            name: self.__dict__.get(name) for name in self.TRACKED_FIELDS
        }

    def stored_value(self, attname):
        """The field's value as stored (None for an object never stored)."""
        return (self._as_stored or {}).get(attname)

    def changed_since_stored(self, attnames):
        """Whether one of the fields (attnames of TRACKED_FIELDS) differs from the
        row as stored; always true for an object never loaded or saved."""
        if self._as_stored is None:
            return True
        return any(
            self._as_stored.get(name) != self.__dict__.get(name) for name in attnames
        )


class RenameTracking(StoredValues):
    """Tells a save that changes the stored name (is_renamed)."""

    TRACKED_FIELDS = frozenset(["name"])

    def is_renamed(self, update_fields=None):
        """Whether saving now changes the stored name (a new object is no rename)."""
        if self._state.adding or (update_fields and "name" not in update_fields):
            return False
        return self.changed_since_stored(["name"])


class Category(RenameTracking, models.Model):
    """A product category residents browse by (makanan, kerajinan, …)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        renamed = self.is_renamed(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if renamed:
            Product.objects.filter(category=self).update_search_vectors()

    def get_absolute_url(self):
        return f"{reverse('products:list')}?kategori={self.slug}"


class Decided(models.Model):
    """A model whose status staff or owners decide, only through a decision function
    (products/decisions.py, outlets/decisions.py), and whose edits are counted.

    DECISIONS maps each status to the statuses it may be decided from;
    REASON_REQUIRED lists the statuses that need a reason for the owner. `version`
    counts saved changes: a form drawn at one version refuses to save over a later
    one (VersionedForm). A plain save() that changes the status raises.
    """

    DECISIONS = {}
    REASON_REQUIRED = frozenset()

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = getattr(self, "_stored_status", None)
            if (
                stored is not None
                and self.status != stored
                and not getattr(self, "_deciding", False)
            ):
                raise RuntimeError(
                    f"{type(self).__name__} #{self.pk}: a status changes only "
                    "through a decision function."
                )
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        except Exception:
            if not self._state.adding:
                self.version -= 1
            raise
        self._stored_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The status as stored, to tell a decision from an edit (and for the page
        # cache: whether the object was public before the change).
        instance._stored_status = instance.__dict__.get("status")
        return instance


class ReviewedClaims:
    """The fields of REVIEWED_FIELDS are claims the city vouches for once the object
    is reviewed: an owner's edit to them becomes a ProposedChange, and the reviewed
    values stay until staff accept it."""

    REVIEWED_FIELDS = []

    @property
    def is_reviewed(self):
        raise NotImplementedError

    def claim_attnames(self):
        return {
            name: self._meta.get_field(name).attname for name in self.REVIEWED_FIELDS
        }

    def hold_claim_changes(self):
        """Put back the stored value of each claim this unsaved edit changes.
        Returns (proposed, reviewed): {field: value} of what the edit proposed and
        of what is stored, as JSON values."""
        attnames = self.claim_attnames()
        stored = (
            type(self)._base_manager.filter(pk=self.pk).values(*attnames.values()).get()
        )
        proposed, reviewed = {}, {}
        for name, attname in attnames.items():
            if getattr(self, attname) != stored[attname]:
                proposed[name] = getattr(self, attname)
                reviewed[name] = stored[attname]
                setattr(self, attname, stored[attname])
        return proposed, reviewed

    def apply_proposal(self, proposed, by):
        """Take the proposed values of a change staff accepted (not yet saved)."""
        for name, attname in self.claim_attnames().items():
            if name in proposed:
                setattr(self, attname, proposed[name])

    def pending_change(self):
        """The owner's proposed change waiting for review, or None."""
        return self.proposed_changes.waiting().first()


class StatusTrail(Decided):
    """Who last changed the review status, when and why (the reason the owner sees)."""

    status_reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Shown to the owner; required when rejecting."),
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def record_decision(self, status, by=None, reason=""):
        """Record a review decision on this object (not yet saved); called by
        decisions.decide()."""
        self.status = status
        self.status_reason = reason
        self.status_changed_at = timezone.now()
        self.status_changed_by = by


class CreatedOnce(models.Model):
    """Made by a create form with a one-time token (forms.OneTimeTokenForm,
    views.CreatedOnceMixin): the token is unique, so the same form sent twice
    creates one object."""

    creation_token = models.UUIDField(
        _("creation token"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The one-time token of the form that created it."),
    )

    class Meta:
        abstract = True


class BusinessQuerySet(models.QuerySet):
    def waiting(self):
        """Businesses waiting for a verification decision."""
        return self.filter(status=Business.Status.PENDING)

    def verified(self):
        return self.filter(status=Business.Status.VERIFIED)

    def owned_by(self, user):
        return self.filter(owner=user)

    def awaiting_hand_over(self):
        """Businesses staff registered that no owner account holds yet."""
        return self.filter(assisted_registration=True, owner__isnull=True)


class Business(RenameTracking, ReviewedClaims, CreatedOnce, StatusTrail):
    """A UMKM: a micro, small or medium enterprise and its owner."""

    class Size(models.TextChoices):
        MICRO = "mikro", _("Micro")
        SMALL = "kecil", _("Small")
        MEDIUM = "menengah", _("Medium")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="businesses",
        verbose_name=_("owner"),
        help_text=_(
            "Empty while staff hold a business registered on the owner's behalf."
        ),
    )
    name = models.CharField(_("business name"), max_length=120)
    # As the agency's register or the staff member registering it names the owner,
    # also before the owner has an account (it helps staff tell who may claim it).
    owner_name = models.CharField(
        _("owner's name"),
        max_length=120,
        blank=True,
        help_text=_("The owner's name as the agency's register has it."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    size = models.CharField(_("size"), max_length=10, choices=Size, default=Size.MICRO)
    nib = models.CharField(
        _("NIB"),
        max_length=13,
        blank=True,
        validators=[RegexValidator(r"^\d{13}$", _("An NIB has exactly 13 digits."))],
        help_text=_("Nomor Induk Berusaha from OSS, 13 digits."),
    )
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name=_("kelurahan"),
    )
    address = models.CharField(_("address"), max_length=255)
    whatsapp = WhatsAppNumberField()
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/%Y/%m/",
        blank=True,
        help_text=_("Stored as a 256×256 WebP without metadata."),
    )
    status = models.CharField(
        _("verification status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
    )
    # Assisted registration: many micro traders have no smartphone, so staff
    # register the business for them and hand it over once the owner has an account.
    assisted_registration = models.BooleanField(
        _("registered by staff"),
        default=False,
        help_text=_("Staff registered this business on the owner's behalf."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registering staff member"),
    )
    handed_over_at = models.DateTimeField(
        _("handed over to the owner at"), null=True, blank=True
    )

    # Staff verify or reject (also revoke or reconsider); the owner resubmits.
    DECISIONS = {
        Status.VERIFIED: {Status.PENDING, Status.REJECTED},
        Status.REJECTED: {Status.PENDING, Status.VERIFIED},
        Status.PENDING: {Status.REJECTED},
    }
    REASON_REQUIRED = frozenset([Status.REJECTED])
    # Claims the city vouches for: an owner's change to them waits for review.
    REVIEWED_FIELDS = ["name", "nib", "whatsapp"]

    objects = BusinessQuerySet.as_manager()
    # Every saved change, with the staff member or owner who made it (the admin's
    # History page); never edited. bulk_create() and update() are not recorded.
    history = HistoricalRecords(excluded_fields=["creation_token", "updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("business (UMKM)")
        verbose_name_plural = _("businesses (UMKM)")
        indexes = [
            models.Index(
                fields=["status", "created_at"], name="business_status_created"
            ),
            # The admin's list order (name, then newest first).
            models.Index(fields=["name", "-id"], name="business_name_id"),
            models.Index(fields=["status", "id"], name="business_status_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nib"],
                condition=~Q(nib=""),
                name="business_unique_nib",
                violation_error_message=_(
                    "Another business is already registered with this NIB."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        renamed = self.is_renamed(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if renamed:
            Product.objects.filter(business=self).update_search_vectors()

    def get_absolute_url(self):
        return reverse("products:business", kwargs={"slug": self.slug})

    @property
    def is_reviewed(self):
        return self.status == self.Status.VERIFIED

    def register_for_owner(self, by):
        """Mark the business as registered by the staff member on the owner's behalf
        (not yet saved)."""
        self.assisted_registration = True
        self.registered_by = by

    def hand_over(self, owner):
        """Give the business, registered by staff, to the owner's account (not yet
        saved); the owner then manages it and its products from their dashboard."""
        self.owner = owner
        self.handed_over_at = timezone.now()

    def set_logo(self, upload):
        """Store a square, metadata-free WebP logo made from an uploaded image."""
        logo = images.encode(images.square(images.open_upload(upload), 256))
        self.logo.save(logo.name, logo, save=False)

    def structured_data(self, url):
        """The business as a schema.org LocalBusiness (JSON-LD)."""
        kelurahan = self.kelurahan
        return {
            "@context": "https://schema.org",
            "@type": "LocalBusiness",
            "name": self.name,
            "url": url,
            "description": self.description,
            "telephone": f"+{self.whatsapp}",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": self.address,
                "addressLocality": f"{kelurahan.name}, {kelurahan.kecamatan.name}",
                "addressRegion": "Kota Serang, Banten",
                "addressCountry": "ID",
            },
        }


class ProductQuerySet(models.QuerySet):
    def waiting(self):
        """Products waiting for a review decision."""
        return self.filter(status=Product.Status.PENDING)

    def public(self):
        """Products residents may see: approved, of a verified business (the
        condition Product.PUBLIC)."""
        return self.filter(Product.PUBLIC)

    def in_category(self, category):
        return self.filter(category=category)

    def in_kecamatan(self, kecamatan):
        """Products of businesses located in the kecamatan."""
        return self.filter(business__kelurahan__kecamatan=kecamatan)

    def priced_between(self, minimum=None, maximum=None):
        """Products priced within the bounds, in whole rupiah (None: no bound)."""
        products = self
        if minimum is not None:
            products = products.filter(price__gte=minimum)
        if maximum is not None:
            products = products.filter(price__lte=maximum)
        return products

    def on_display(self, outlet=None):
        """Products on display now, anywhere or at the outlet (an Outlet, or its
        slug as the list's filter gives it)."""
        return self.filter(current_display_exists(outlet=outlet))

    def search(self, text):
        """Products matching the words, with their relevance in `rank`.

        PostgreSQL: full-text search (Indonesian stemming, name before category and
        business name before description) or, for words of 5 letters or more, a
        product name close to the words, which forgives typos. Elsewhere: every
        word somewhere in the product's text, products with the words in their
        name first.
        """
        return search_products(self, text)

    def update_search_vectors(self):
        """Recompute search_vector of these products in one UPDATE (PostgreSQL
        only; elsewhere search reads the text directly). Returns the row count."""
        if connections[self.db].vendor != "postgresql":
            return 0
        category_name = Category.objects.filter(pk=OuterRef("category_id"))
        business_name = Business.objects.filter(pk=OuterRef("business_id"))
        return self.update(
            search_vector=SearchVector("name", weight="A", config=SEARCH_CONFIG)
            + SearchVector(
                Subquery(category_name.values("name")),
                Subquery(business_name.values("name")),
                weight="B",
                config=SEARCH_CONFIG,
            )
            + SearchVector("description", weight="C", config=SEARCH_CONFIG)
        )

    def owned_by(self, user):
        """Products of the user's businesses."""
        return self.filter(business__owner=user)

    def halal(self, on_date=None):
        """Products with a checked halal certificate valid on the date (today by
        default)."""
        return self.filter(halal_certificate_exists(on_date))

    def with_badges(self, on_date=None):
        """Annotate the badges of a product card: `is_halal` (as halal()) and
        `is_on_display` (as on_display()), on the date (today by default). Cards
        read them for their page's products only (prefetch_badges): in a list's
        own query PostgreSQL works them out for every row it skips to reach a
        deep page, with a scan of every certificate."""
        return self.annotate(
            is_halal=halal_certificate_exists(on_date),
            is_on_display=current_display_exists(on_date),
        )

    def for_listing(self):
        """Everything a product card shows, in a constant number of queries (the
        badges are read with the cards: prefetch_badges)."""
        return self.select_related("business", "category").prefetch_related(
            ordered_photos()
        )

    def for_cards(self, *also):
        """Only the columns a product card shows (products/_product_card.html and
        catalogue.card_key), its category's id and the business's name, and also
        those named (of relations the caller selects); the photos are for the
        caller to prefetch (prefetch_photos), the badges are read with the cards
        (prefetch_badges). Much cheaper to load than every column: a card showing
        another field must add it here, or each card costs a query."""
        return self.select_related("business").only(
            "name", "slug", "price", "unit", "category_id", "business__name", *also
        )


def count_of(queryset, field):
    """A subquery annotation: how many rows of queryset point at the outer row by field.

    Unlike Count() over a join it needs no GROUP BY over the whole list, so a page of
    100 rows costs 100 index look-ups whatever the size of the table. The one rule
    of every count of related rows (the admin's counter columns, exports)."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def count_products(field):
    """How many products the outer row has (a business: "business", a category:
    "category"), as an annotation: count_of() over every product."""
    return count_of(Product.objects.all(), field)


def halal_certificate_exists(on_date=None):
    """Whether the product (OuterRef "pk") has a checked halal certificate valid on
    the date (today by default): the one rule of the halal filter and badge."""
    return Exists(
        Certification.objects.verified()
        .valid(on_date)
        .filter(product=OuterRef("pk"), kind=Certification.Kind.HALAL)
    )


def display_model():
    """outlets' Display, reached through the relation outlets declares
    (Product.displays) instead of imported: the one way products reaches outlets'
    models, so that the catalogue never imports outlets (README, "What is where")."""
    return Product._meta.get_field("displays").related_model


def outlet_model():
    """outlets' Outlet, through display_model()."""
    return display_model()._meta.get_field("outlet").related_model


def current_display_exists(on_date=None, outlet=None):
    """Whether the product (OuterRef "pk") is on display on the date (today by
    default), anywhere or at the outlet (an Outlet or its slug): "on display"
    stays defined once, by outlets' DisplayQuerySet.current()."""
    displays = display_model().objects.current(on_date).filter(product=OuterRef("pk"))
    if isinstance(outlet, str):
        displays = displays.filter(outlet__slug=outlet)
    elif outlet is not None:
        displays = displays.filter(outlet=outlet)
    return Exists(displays)


def ordered_photos():
    """The prefetch of products' photos in their order, as `ordered_photos` (read by
    Product.main_photo and the gallery)."""
    return Prefetch(
        "photos",
        queryset=ProductPhoto.objects.order_by("position", "pk"),
        to_attr="ordered_photos",
    )


def prefetch_badges(products, on_date=None):
    """Set the card badges (ProductQuerySet.with_badges()) on the products (a list,
    of any origin) that have none yet, in one query over their ids."""
    missing = [p for p in products if "is_on_display" not in p.__dict__]
    if not missing:
        return
    badges = {
        pk: (halal, on_display)
        for pk, halal, on_display in Product.objects.filter(
            pk__in=[p.pk for p in missing]
        )
        .with_badges(on_date)
        .values_list("pk", "is_halal", "is_on_display")
    }
    for product in missing:
        product.is_halal, product.is_on_display = badges.get(product.pk, (False, False))


def prefetch_photos(products):
    """Fetch the photos of the products (a list, of any origin) in one query."""
    models.prefetch_related_objects(products, ordered_photos())


class Product(StoredValues, ReviewedClaims, CreatedOnce, StatusTrail):
    """A product of a business, shown to residents once staff approve it."""

    # Fields whose change makes search_vector stale (names and attnames).
    SEARCHED_FIELDS = frozenset(
        ["name", "description", "category", "category_id", "business", "business_id"]
    )
    # What lists show of a product or filter and order it by (attnames): its card
    # (products/templatetags/catalogue.py card_key), ProductFilterForm, the orders.
    LISTED_FIELDS = frozenset(
        ["name", "slug", "price", "unit", "category_id", "business_id", "created_at"]
    )
    # Kept as stored, so that the page cache tells an edit the lists show from one
    # only the product's page (and search) shows (serang_umkm/page_cache.py).
    TRACKED_FIELDS = LISTED_FIELDS | {"description"}

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # What the owner may do from each status (staff decide approved and rejected).
    SUBMITTABLE = frozenset([Status.DRAFT, Status.REJECTED, Status.WITHDRAWN])
    WITHDRAWABLE = frozenset([Status.PENDING, Status.APPROVED])
    DELETABLE = frozenset([Status.DRAFT, Status.REJECTED, Status.WITHDRAWN])
    DECISIONS = {
        Status.APPROVED: {Status.DRAFT, Status.PENDING, Status.REJECTED},
        Status.REJECTED: {Status.PENDING, Status.APPROVED},
        Status.PENDING: SUBMITTABLE,
        Status.WITHDRAWN: WITHDRAWABLE,
    }
    REASON_REQUIRED = frozenset([Status.REJECTED])
    # Products residents may see: approved, of a verified business. The one rule
    # of ProductQuerySet.public() and is_public (read in Python, products/
    # conditions.py); the status first, so that is_public reads the business only
    # of an approved product.
    PUBLIC = Q(status=Status.APPROVED) & Q(business__status=Business.Status.VERIFIED)
    # Claims the city vouches for (with the certificates): an owner's change to
    # them waits for review. Price, unit, description and photos stay live.
    REVIEWED_FIELDS = ["name", "category"]

    business = models.ForeignKey(
        Business,
        on_delete=models.CASCADE,
        related_name="products",
        verbose_name=_("business"),
    )
    name = models.CharField(_("product name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("category"),
    )
    description = models.TextField(_("description"), blank=True)
    price = models.PositiveIntegerField(
        _("price (Rp)"), help_text=_("Whole rupiah, e.g. 25000 for Rp 25.000.")
    )
    unit = models.CharField(
        _("unit"),
        max_length=40,
        default="pcs",
        help_text=_("What the price buys, e.g. “pack 250 g” or “piece”."),
    )
    status = models.CharField(
        _("review status"),
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
    )
    search_vector = SearchVectorField(
        _("search index"),
        null=True,
        editable=False,
        help_text=_(
            "Words of the name, category, business and description, kept up to "
            "date on save (PostgreSQL only)."
        ),
    )
    changes_since_review = models.JSONField(
        _("changed since review"),
        default=dict,
        blank=True,
        help_text=_(
            "Fields the owner changed after the last review, with their reviewed "
            "value; emptied by the next status change."
        ),
    )

    objects = ProductQuerySet.as_manager()
    # Every saved change, who made it and when (see Business.history).
    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "changes_since_review",
            "creation_token",
            "updated_at",
        ]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(
                fields=["status", "-created_at"], name="product_status_created"
            ),
            models.Index(fields=["status", "price"], name="product_status_price"),
            models.Index(fields=["status", "name"], name="product_status_name"),
            # The admin's list order (name, then newest first).
            models.Index(fields=["name", "-id"], name="product_name_id"),
            # With business_status_id, counts public products (every page of the
            # catalogue) from the indexes alone.
            models.Index(fields=["status", "business"], name="product_status_business"),
            # A category's public products by price, name or newest: the page's
            # rows straight from the index, however deep the page.
            models.Index(
                fields=["category", "price", "id"],
                condition=Q(status="approved"),
                name="product_category_price",
            ),
            models.Index(
                fields=["category", "name", "id"],
                condition=Q(status="approved"),
                name="product_category_name",
            ),
            models.Index(
                fields=["category", "-created_at", "id"],
                condition=Q(status="approved"),
                name="product_category_created",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.SEARCHED_FIELDS.intersection(update_fields):
            Product.objects.filter(pk=self.pk).update_search_vectors()

    def get_absolute_url(self):
        return reverse("products:detail", kwargs={"slug": self.slug})

    def structured_data(self, url, image="", on_display=False):
        """The product as a schema.org Product with an Offer in rupiah (JSON-LD),
        in stock when it is on display at an outlet (as the page says)."""
        # On display: anyone can see and buy it at an outlet today. Otherwise it is
        # had only by ordering from the maker over WhatsApp (OnlineOnly); not
        # InStoreOnly (no outlet has it), nor OutOfStock (the maker may well).
        availability = "InStock" if on_display else "OnlineOnly"
        data = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": self.name,
            "url": url,
            "description": self.description,
            "category": self.category.name,
            "brand": {"@type": "Brand", "name": self.business.name},
            "offers": {
                "@type": "Offer",
                "price": self.price,
                "priceCurrency": "IDR",
                "availability": f"https://schema.org/{availability}",
                "url": url,
                "seller": {"@type": "Organization", "name": self.business.name},
            },
        }
        if image:
            data["image"] = image
        return data

    def record_decision(self, status, by=None, reason=""):
        """Record a status change; the changes it reviews are no longer pending."""
        super().record_decision(status, by=by, reason=reason)
        self.changes_since_review = {}

    @property
    def is_reviewed(self):
        return self.status == self.Status.APPROVED

    def apply_proposal(self, proposed, by):
        """Take the proposed name, category and certificates (as checked by the
        staff member who accepted them); not yet saved, but the certificates are."""
        super().apply_proposal(proposed, by)
        for kind, claim in proposed.get("certifications", {}).items():
            if claim is None:
                self.certifications.filter(kind=kind).delete()
                continue
            certificate = self.certifications.filter(kind=kind).first() or (
                Certification(product=self, kind=kind)
            )
            certificate.number = claim["number"]
            certificate.valid_until = claim["valid_until"]
            certificate.verify(by)
            certificate.full_clean(exclude=["product"])
            certificate.save()

    @property
    def is_public(self):
        """Whether residents may see the product: the condition of
        ProductQuerySet.public() (PUBLIC), read on the product as it stands."""
        return holds(self.PUBLIC, self)

    @property
    def can_be_submitted(self):
        return self.status in self.SUBMITTABLE

    @property
    def can_be_withdrawn(self):
        return self.status in self.WITHDRAWABLE

    @property
    def can_be_deleted(self):
        return self.status in self.DELETABLE

    def public_values(self):
        """What residents see of the product, as JSON values to compare edits by."""
        return {
            "business": self.business.name,
            "name": self.name,
            "category": self.category.name,
            "price": self.price,
            "unit": self.unit,
            "description": self.description,
            "certifications": sorted(
                f"{certificate} {certificate.valid_until or ''}".strip()
                for certificate in self.certifications.all()
            ),
            "photos": [
                [photo.pk, photo.alt_text]
                for photo in self.photos.order_by("position", "pk")
            ],
        }

    def note_changes_since_review(self, reviewed):
        """Keep, for staff, the reviewed value of each public value that now
        differs (reviewed: public_values() before the edit); not saved."""
        current = self.public_values()
        changes = dict(self.changes_since_review)
        for key, before in reviewed.items():
            if key not in changes and before != current[key]:
                changes[key] = before
            elif key in changes and changes[key] == current[key]:
                del changes[key]
        self.changes_since_review = changes

    @property
    def main_photo(self):
        """The first photo by position (uses for_listing()'s prefetch when present)."""
        photos = getattr(self, "ordered_photos", None)
        if photos is None:
            return self.photos.order_by("position", "pk").first()
        return photos[0] if photos else None


class ProductPhoto(models.Model):
    """A product photo, kept only as re-encoded, resized variants (never the upload)."""

    THUMBNAIL_SIDE = 400
    MEDIUM_SIDE = 800
    LARGE_SIDE = 1600

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("product"),
    )
    large = models.ImageField(_("photo"), upload_to="products/%Y/%m/")
    medium = models.ImageField(_("medium variant"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="products/%Y/%m/")
    medium_width = models.PositiveSmallIntegerField(_("medium width"), default=0)
    medium_height = models.PositiveSmallIntegerField(_("medium height"), default=0)
    alt_text = models.CharField(
        _("description of the photo"),
        max_length=200,
        blank=True,
        help_text=_(
            "For people who cannot see it; the product name is used when empty."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("The photo at the lowest position is the main one."),
    )

    class Meta:
        ordering = ["product", "position", "pk"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self):
        return self.large.name

    def set_image(self, upload):
        """Fill every variant from an upload; raises ValidationError for bad files."""
        image = images.open_upload(upload)
        large = images.encode(
            images.fit_within(image, self.LARGE_SIDE), "JPEG", quality=82
        )
        self.large.save(large.name, large, save=False)
        self.set_smaller_variants(image)

    def set_smaller_variants(self, image):
        """Fill medium (and its size) and thumbnail from an upright RGB image: the
        one home of their rules, for an upload and for a rebuild alike."""
        medium = images.fit_within(image, self.MEDIUM_SIDE)
        self.medium_width, self.medium_height = medium.size
        variants = [
            (self.medium, images.encode(medium)),
            (self.thumbnail, images.encode(images.square(image, self.THUMBNAIL_SIDE))),
        ]
        for field_file, content in variants:
            field_file.save(content.name, content, save=False)

    def rebuild_variants(self):
        """Make medium and thumbnail again from the stored large variant (e.g. after
        their sizes changed) and save the row; the files they replace are deleted
        once that commits. Raises FileNotFoundError when the large file is gone and
        ValidationError when it is no readable image; then nothing changes."""
        with self.large.open("rb") as stored:
            image = images.open_upload(ContentFile(stored.read()))
        replaced = [self.medium.name, self.thumbnail.name]
        self.set_smaller_variants(image)
        self.save(
            update_fields=["medium", "thumbnail", "medium_width", "medium_height"]
        )
        storage = self.medium.storage
        for name in replaced:
            if name:
                transaction.on_commit(partial(storage.delete, name))

    def delete_files(self):
        """Remove the variants from storage (the row is left alone)."""
        for field_file in (self.large, self.medium, self.thumbnail):
            if field_file:
                field_file.delete(save=False)


def certificate_valid(on_date=None):
    """The condition of a certificate valid on the date (today by default): without
    an expiry date or expiring on or after it. The one rule of
    CertificationQuerySet.valid() and Certification.is_valid()."""
    on_date = on_date or timezone.localdate()
    return Q(valid_until__isnull=True) | Q(valid_until__gte=on_date)


class CertificationQuerySet(models.QuerySet):
    def valid(self, on_date=None):
        """Certificates without an expiry date or expiring on or after the date."""
        return self.filter(certificate_valid(on_date))

    def verified(self):
        """Certificates a Verifikator checked: the only ones residents are shown."""
        return self.filter(verified_at__isnull=False)


class Certification(models.Model):
    """A licence or certificate of a product: halal, P-IRT or BPOM registration."""

    # HALAL, PIRT, BPOM_MD, BPOM_ML, BPOM_NA: made from the one table of kinds,
    # products/certificates.py (KINDS), with their codes and labels.
    Kind = models.TextChoices(
        "Kind",
        certificates.kind_choices(),
        module=__name__,
        qualname="Certification.Kind",
    )

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("product"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    number = models.CharField(_("number"), max_length=40)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the certificate does not expire."),
    )
    verified_at = models.DateTimeField(
        _("verified at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When a Verifikator checked the certificate; until then it is "
            "not shown to residents."
        ),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["product", "kind"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "kind"],
                name="certification_one_per_kind",
                violation_error_message=_(
                    "This product already has a certificate of this kind."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def is_valid(self, on_date=None):
        """Whether the certificate is valid on the date (today by default), as
        CertificationQuerySet.valid() has it; without a query (for prefetched
        certificates)."""
        return holds(certificate_valid(on_date), self)

    def verify(self, by):
        """Record that the staff member checked the certificate (not yet saved)."""
        self.verified_by = by
        self.verified_at = timezone.now()

    def as_claim(self):
        """The number and expiry the certificate claims, as JSON values."""
        return {
            "number": self.number,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


class ProposedChangeQuerySet(models.QuerySet):
    def waiting(self):
        """Changes waiting for a staff decision."""
        return self.filter(status=ProposedChange.Status.PENDING)

    def propose(self, target, proposed, reviewed, by):
        """Make proposed ({field: value}, with the reviewed values) the change of
        target (a business or product) waiting for review, replacing the one
        waiting; nothing proposed withdraws it. Returns the change or None."""
        target_field = target._meta.model_name
        with transaction.atomic():
            waiting = (
                self.select_for_update().waiting().filter(**{target_field: target})
            ).first()
            if not proposed:
                if waiting:
                    waiting.delete()
                return None
            change = waiting or self.model(**{target_field: target})
            change.proposed = proposed
            change.reviewed = reviewed
            change.proposed_by = by
            change.save()
            return change


class ProposedChange(StatusTrail):
    """An owner's change to a claim the city vouches for (a verified business's name,
    NIB or WhatsApp number; an approved product's name, category or certificates):
    the reviewed values stay public until staff accept it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    DECISIONS = {
        Status.ACCEPTED: {Status.PENDING},
        Status.REJECTED: {Status.PENDING},
    }
    REASON_REQUIRED = frozenset([Status.REJECTED])

    business = models.ForeignKey(
        Business,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposed_changes",
        verbose_name=_("business"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposed_changes",
        verbose_name=_("product"),
    )
    proposed = models.JSONField(
        _("proposed values"),
        default=dict,
        help_text=_("Each changed field with its proposed value."),
    )
    reviewed = models.JSONField(
        _("reviewed values"),
        default=dict,
        help_text=_("Each changed field with its value when the change was proposed."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )

    objects = ProposedChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        indexes = [
            models.Index(
                fields=["status", "created_at"], name="proposal_status_created"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(business__isnull=True) ^ Q(product__isnull=True),
                name="proposal_one_target",
                violation_error_message=_(
                    "A proposed change is for one business or one product."
                ),
            ),
            models.UniqueConstraint(
                fields=["business"],
                condition=Q(status="pending"),
                name="proposal_one_pending_per_business",
                violation_error_message=_(
                    "This business already has a change waiting for review."
                ),
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status="pending"),
                name="proposal_one_pending_per_product",
                violation_error_message=_(
                    "This product already has a change waiting for review."
                ),
            ),
        ]

    def __str__(self):
        return str(_("Proposed change #%(pk)s") % {"pk": self.pk})

    @property
    def target(self):
        """The business or product the change is for."""
        return self.business if self.business_id else self.product

    def comparison(self):
        """[(what, reviewed, proposed)] as text, one row per changed claim."""
        model = type(self.target)
        rows = []
        for name, after in self.proposed.items():
            before = self.reviewed.get(name)
            if name == "certifications":
                for kind, claim in after.items():
                    rows.append(
                        (
                            Certification.Kind(kind).label,
                            claim_text((before or {}).get(kind)),
                            claim_text(claim),
                        )
                    )
                continue
            field = model._meta.get_field(name)
            if field.is_relation:
                names = dict(
                    field.related_model.objects.filter(
                        pk__in=[before, after]
                    ).values_list("pk", "name")
                )
                before, after = names.get(before, before), names.get(after, after)
            rows.append((field.verbose_name, before or "", after or ""))
        return rows


def claim_text(claim):
    """A certificate claim ({"number", "valid_until"} or None) as text for staff."""
    if not claim:
        return "—"
    if claim.get("valid_until"):
        return _("%(number)s, valid until %(date)s") % {
            "number": claim["number"],
            "date": date_format(datetime.date.fromisoformat(claim["valid_until"])),
        }
    return claim["number"]


class PrivateStorage(LazyObject):
    """STORAGES["private"]: files that are not for the public (see settings)."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage_object = PrivateStorage()


def private_storage():
    """The storage of files that must not be served (FileField storage callable)."""
    return private_storage_object


def import_file_path(instance, filename):
    """Where an uploaded import file is stored: imports/<year>/<month>/ under a random
    name (the register holds owners' phone numbers; its name must not be guessable
    should the storage serve files publicly), keeping only the extension."""
    extension = PurePosixPath(filename).suffix.lower()[:10]
    return timezone.now().strftime(f"imports/%Y/%m/{uuid.uuid4().hex}{extension}")


class ImportJobQuerySet(models.QuerySet):
    def running(self):
        """Jobs a worker is working on, with progress recorded lately."""
        return self.filter(
            status__in=ImportJob.RUNNING,
            updated_at__gte=timezone.now() - settings.IMPORT_JOB_STALE_AFTER,
        )

    def stale(self):
        """Jobs a worker took but recorded no progress for since
        IMPORT_JOB_STALE_AFTER: the worker stopped (nothing was written, since an
        import commits once, at its end, together with its job's status)."""
        return self.filter(
            status__in=ImportJob.RUNNING,
            updated_at__lt=timezone.now() - settings.IMPORT_JOB_STALE_AFTER,
        )


class ImportJob(models.Model):
    """A spreadsheet a staff member imports in the admin (businesses or products),
    checked and then written by background tasks (products/imports.py):

    uploaded → previewing → previewed → confirmed → importing → imported, or failed.

    The preview (a dry run) lists every row error and warning; a file the preview
    could read can be confirmed, and its import writes every row without errors
    in one transaction (the rows with errors are left out, offered as a
    spreadsheet to correct), or nothing when the catalogue changed since the
    preview. The stored file goes once the job is done (imported, failed, or
    previewed with nothing to import) or deleted."""

    class Kind(models.TextChoices):
        BUSINESSES = "businesses", _("businesses")
        PRODUCTS = "products", _("products")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("waiting for the preview")
        PREVIEWING = "previewing", _("previewing")
        PREVIEWED = "previewed", _("previewed")
        CONFIRMED = "confirmed", _("waiting to import")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")

    # Queued for a worker, and being worked on by one.
    WAITING = (Status.UPLOADED, Status.CONFIRMED)
    RUNNING = (Status.PREVIEWING, Status.IMPORTING)

    kind = models.CharField(_("what"), max_length=20, choices=Kind)
    file = models.FileField(
        _("file"),
        upload_to=import_file_path,
        storage=private_storage,
        max_length=255,
        blank=True,
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(
        _("sheet"),
        max_length=100,
        blank=True,
        help_text=_("Empty: the sheet whose header fits what is imported."),
    )
    # Businesses of the agency's own register: verified by the importing staff
    # member's decision, recorded for each business (products/decisions.py).
    verify_businesses = models.BooleanField(_("verified at once"), default=False)
    # The site's address for the links of owners' emails a job's decisions send.
    site_url = models.CharField(_("site address"), max_length=200, blank=True)
    # The preview's rows with errors, as an XLSX file with their row numbers.
    error_file = models.FileField(
        _("rows with errors"),
        upload_to=import_file_path,
        storage=private_storage,
        max_length=255,
        blank=True,
    )
    file_format = models.CharField(_("format"), max_length=10, choices=Format)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Written by every step and every few hundred rows: a running job whose
    # progress is older than IMPORT_JOB_STALE_AFTER lost its worker.
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.UPLOADED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # {"rows", "new", "updated", "unchanged", "invalid", "error_count", "errors":
    # [{"row", "column", "message"}, …] (the first IMPORT_MAX_LISTED_ERRORS)};
    # row 0 is the file as a whole.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_by", "-created_at"], name="importjob_by_user_idx"
            ),
            models.Index(fields=["kind", "status"], name="importjob_kind_status_idx"),
        ]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def model(self):
        """The model the job imports (Business or Product)."""
        return Business if self.kind == self.Kind.BUSINESSES else Product

    @property
    def in_progress(self):
        return self.status in (*self.WAITING, *self.RUNNING)

    @property
    def error_count(self):
        return (self.result or self.preview).get("error_count", 0)

    @property
    def may_be_confirmed(self):
        """Previewed with rows to import and nothing that stops the whole file (an
        unreadable file, an unexpected error): its rows without errors may be
        imported, the rows with errors are left out."""
        preview = self.preview or {}
        return (
            self.status == self.Status.PREVIEWED
            and bool(preview)
            and not preview.get("file_error")
            and not preview.get("blocking")
            and preview.get("rows", 0) > preview.get("invalid", 0)
        )

    @property
    def leaves_rows_out(self):
        """Whether confirming imports only some rows (the others have errors)."""
        return bool((self.preview or {}).get("invalid"))

    def discard_file(self):
        """Forget the stored file (not yet saved); it is removed from storage once
        the transaction saving the job commits."""
        if self.file:
            name, storage = self.file.name, self.file.storage
            transaction.on_commit(partial(storage.delete, name))
        self.file = ""


class ProductCount(models.Model):
    """How often residents saw a product's page and tapped "Pesan lewat WhatsApp" on
    a day: counts only, no visitor (serang_umkm/counting.py keeps them in the shared
    cache and flushes them here)."""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="counts",
        verbose_name=_("product"),
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("page views"), db_default=0)
    whatsapp_taps = models.PositiveIntegerField(_("WhatsApp taps"), db_default=0)

    class Meta:
        verbose_name = _("product count")
        verbose_name_plural = _("product counts")
        constraints = [
            models.UniqueConstraint(fields=["product", "day"], name="product_count_day")
        ]
        indexes = [models.Index(fields=["day"], name="product_count_by_day")]

    def __str__(self):
        return f"{self.product_id} {self.day}"


class BusinessCount(models.Model):
    """How often residents saw a business's page on a day."""

    business = models.ForeignKey(
        Business,
        on_delete=models.CASCADE,
        related_name="counts",
        verbose_name=_("business"),
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("page views"), db_default=0)

    class Meta:
        verbose_name = _("business count")
        verbose_name_plural = _("business counts")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "day"], name="business_count_day"
            )
        ]

    def __str__(self):
        return f"{self.business_id} {self.day}"


class SearchMiss(models.Model):
    """A search that found no public product, by its normalised words and day: what
    residents look for that no UMKM offers yet (never who looked)."""

    term = models.CharField(_("search term"), max_length=60)
    day = models.DateField(_("day"))
    searches = models.PositiveIntegerField(_("searches"), db_default=0)

    class Meta:
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")
        constraints = [
            models.UniqueConstraint(fields=["term", "day"], name="search_miss_day")
        ]
        indexes = [models.Index(fields=["day"], name="search_miss_by_day")]

    def __str__(self):
        return f"{self.term} {self.day}"


class CountBatch(models.Model):
    """A batch of counts the flush_counts task added to the tables (its name in the
    cache), recorded with them so that a batch is never added twice."""

    name = models.CharField(max_length=100, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("flushed count batch")
        verbose_name_plural = _("flushed count batches")

    def __str__(self):
        return self.name


class SummaryMonth(models.Model):
    """A month whose summary emails to owners were queued (products/summaries.py):
    recorded with the queueing, so that each month's go out once."""

    month = models.DateField(_("month"), unique=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monthly summary")
        verbose_name_plural = _("monthly summaries")

    def __str__(self):
        return f"{self.month:%Y-%m}"
