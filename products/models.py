from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import whatsapp_validator

from . import images


def unique_slug(instance, text, max_length=80):
    """A slug from text that no other row of instance's model has: name, name-2, …"""
    base = slugify(text)[: max_length - 6].strip("-") or "item"
    candidate, number = base, 1
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    while others.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


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


class Category(models.Model):
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

    def get_absolute_url(self):
        return f"{reverse('products:list')}?kategori={self.slug}"


class StatusTrail(models.Model):
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

    def set_status(self, status, by=None, reason=""):
        """Record a review decision on this object (not yet saved)."""
        self.status = status
        self.status_reason = reason
        self.status_changed_at = timezone.now()
        self.status_changed_by = by


class BusinessQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Business.Status.VERIFIED)

    def owned_by(self, user):
        return self.filter(owner=user)


class Business(StatusTrail):
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
    whatsapp = models.CharField(
        _("WhatsApp number"),
        max_length=16,
        validators=[whatsapp_validator],
        help_text=_("International form without +, e.g. 6281234567890."),
    )
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

    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("business (UMKM)")
        verbose_name_plural = _("businesses (UMKM)")
        indexes = [
            models.Index(
                fields=["status", "created_at"], name="business_status_created"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nib"], condition=~Q(nib=""), name="business_unique_nib"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("products:business", kwargs={"slug": self.slug})

    def set_logo(self, upload):
        """Store a square, metadata-free WebP logo made from an uploaded image."""
        logo = images.encode(images.square(images.open_upload(upload), 256))
        self.logo.save(logo.name, logo, save=False)


class ProductQuerySet(models.QuerySet):
    def public(self):
        """Products residents may see: approved, of a verified business."""
        return self.filter(
            status=Product.Status.APPROVED,
            business__status=Business.Status.VERIFIED,
        )

    def in_category(self, category):
        return self.filter(category=category)

    def halal(self, on_date=None):
        """Products with a halal certificate valid on the date (today by default)."""
        return self.filter(
            Exists(
                Certification.objects.valid(on_date).filter(
                    product=OuterRef("pk"), kind=Certification.Kind.HALAL
                )
            )
        )

    def for_listing(self):
        """Everything a product card shows, in a constant number of queries."""
        return self.select_related("business", "category").prefetch_related(
            Prefetch(
                "photos",
                queryset=ProductPhoto.objects.order_by("position", "pk"),
                to_attr="ordered_photos",
            )
        )


class Product(StatusTrail):
    """A product of a business, shown to residents once staff approve it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

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

    objects = ProductQuerySet.as_manager()

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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="product_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("products:detail", kwargs={"slug": self.slug})

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
        medium = images.fit_within(image, self.MEDIUM_SIDE)
        self.medium_width, self.medium_height = medium.size
        variants = [
            (
                self.large,
                images.encode(
                    images.fit_within(image, self.LARGE_SIDE), "JPEG", quality=82
                ),
            ),
            (self.medium, images.encode(medium)),
            (self.thumbnail, images.encode(images.square(image, self.THUMBNAIL_SIDE))),
        ]
        for field_file, content in variants:
            field_file.save(content.name, content, save=False)


class CertificationQuerySet(models.QuerySet):
    def valid(self, on_date=None):
        """Certificates without an expiry date or expiring on or after the date."""
        on_date = on_date or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on_date))


class Certification(models.Model):
    """A licence or certificate of a product: halal, P-IRT or BPOM registration."""

    class Kind(models.TextChoices):
        HALAL = "halal", _("Halal certificate")
        PIRT = "pirt", _("P-IRT")
        BPOM_MD = "bpom_md", _("BPOM MD")
        BPOM_ML = "bpom_ml", _("BPOM ML")
        BPOM_NA = "bpom_na", _("BPOM NA (cosmetics)")

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

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["product", "kind"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "kind"], name="certification_one_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def is_valid(self, on_date=None):
        on_date = on_date or timezone.localdate()
        return self.valid_until is None or self.valid_until >= on_date
