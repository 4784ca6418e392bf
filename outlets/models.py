import dataclasses
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import WhatsAppNumberField
from products import images
from products.conditions import holds
from products.models import Decided, Kelurahan, Product

from . import closures


class Agency(models.Model):
    """A city agency (OPD) that manages outlets; its members curate them."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="agencies",
        verbose_name=_("staff members"),
        help_text=_("Staff who curate the outlets this agency manages."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agencies (OPD)")

    def __str__(self):
        return self.short_name


class OutletQuerySet(models.QuerySet):
    def public(self):
        """Outlets residents see: every outlet, including planned ones."""
        return self.all()

    def managed_by(self, user):
        """Outlets whose agency the user belongs to (every outlet for a superuser)."""
        if user.is_superuser:
            return self.all()
        return self.filter(agency__members=user)

    def for_listing(self):
        """What outlet cards show, in a constant number of queries."""
        return self.select_related(
            "agency", "kelurahan__kecamatan"
        ).with_opening_state()

    def with_opening_state(self):
        """With what tells whether each outlet is open (its hours and closures:
        two queries), see opening_state_prefetches()."""
        return self.prefetch_related(*opening_state_prefetches())

    def taking_requests(self, on_date=None):
        """Outlets an owner may ask to display at: not temporarily closed, and not
        an event stand whose last day has passed."""
        on_date = on_date or timezone.localdate()
        return self.exclude(status=Outlet.Status.TEMPORARILY_CLOSED).exclude(
            ends_on__lt=on_date
        )


def opening_state_prefetches(through=""):
    """The prefetches of what tells whether outlets are open, for outlets reached
    through the lookup (e.g. "outlet__"): their hours in order, and their closures
    not yet ended (Outlet.period_at reads both)."""
    # Without joining the outlets to order by their name, as
    # OpeningHours.Meta.ordering would.
    hours = OpeningHours.objects.order_by("weekday", "opens_at")
    return [
        models.Prefetch(f"{through}opening_hours", queryset=hours),
        models.Prefetch(
            f"{through}closures", queryset=OutletClosure.objects.not_ended()
        ),
    ]


class Outlet(models.Model):
    """A place where UMKM products are displayed: gerai, kiosk centre or stand."""

    # How far ahead next_change() looks for an opening (past a long renovation).
    OPENING_LOOKAHEAD_DAYS = 60

    class Kind(models.TextChoices):
        GERAI = "gerai", _("UMKM outlet")
        KIOSK_CENTRE = "kiosk_centre", _("Kiosk centre")
        EVENT_STAND = "event_stand", _("Event stand")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_(
            "In the public address (/gerai/…/) and on printed QR codes: keep it."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.GERAI)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="outlets",
        verbose_name=_("managing agency"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.OPEN
    )
    address = models.CharField(_("address"), max_length=255)
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outlets",
        verbose_name=_("kelurahan"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    display_capacity = models.PositiveSmallIntegerField(
        _("display capacity"),
        default=40,
        help_text=_("How many products can be on display at the same time."),
    )
    description = models.TextField(_("description"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="outlets/",
        blank=True,
        help_text=_("Stored as a WebP at most 1200 px wide, without metadata."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    whatsapp = WhatsAppNumberField(blank=True)
    starts_on = models.DateField(
        _("first day"), null=True, blank=True, help_text=_("For event stands only.")
    )
    ends_on = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("For event stands only.")
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="outlet_dates_in_order",
                violation_error_message=_(
                    "The last day cannot be before the first day."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outlets:detail", kwargs={"slug": self.slug})

    def set_photo(self, upload):
        """Store a resized, metadata-free WebP made from an uploaded image."""
        photo = images.encode(images.fit_within(images.open_upload(upload), 1200))
        self.photo.save(photo.name, photo, save=False)

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def directions_url(self):
        """A Google Maps route to the outlet (the app most residents have)."""
        if not self.has_location:
            return ""
        destination = f"{self.latitude},{self.longitude}"
        return f"https://www.google.com/maps/dir/?api=1&destination={destination}"

    @property
    def openstreetmap_url(self):
        if not self.has_location:
            return ""
        lat, lon = self.latitude, self.longitude
        return (
            f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        )

    def map_marker(self):
        """What the Leaflet map needs for this outlet, or None without coordinates."""
        if not self.has_location:
            return None
        return {
            "name": self.name,
            "url": self.get_absolute_url(),
            "lat": float(self.latitude),
            "lng": float(self.longitude),
        }

    def structured_data(self, url):
        """The outlet as a schema.org Store (JSON-LD), with hours and position."""
        data = {
            "@context": "https://schema.org",
            "@type": "Store",
            "name": self.name,
            "url": url,
            "description": self.description,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": self.address,
                "addressLocality": "Kota Serang",
                "addressRegion": "Banten",
                "addressCountry": "ID",
            },
            "openingHoursSpecification": [
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": f"https://schema.org/{hours.Weekday(hours.weekday).name.title()}",
                    "opens": hours.opens_at.strftime("%H:%M"),
                    "closes": hours.closes_at.strftime("%H:%M"),
                }
                for hours in self.opening_hours.all()
            ],
        }
        if self.has_location:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(self.latitude),
                "longitude": float(self.longitude),
            }
        if self.phone or self.whatsapp:
            data["telephone"] = self.phone or f"+{self.whatsapp}"
        return data

    def is_open_at(self, moment=None):
        """Whether the outlet is open at the moment (default now), in Asia/Jakarta."""
        return self.period_at(timezone.localtime(moment)) is not None

    def period_at(self, local):
        """The opening period (OpeningHours) the local moment falls in, or None:
        also on a public holiday or a day staff closed the outlet (closures)."""
        if self.status != self.Status.OPEN:
            return None
        for hours in self.opening_hours.all():
            if (
                hours.weekday == local.weekday()
                and hours.opens_at <= local.time() < hours.closes_at
            ):
                if closures.closure_on(self, local.date()) is not None:
                    return None
                return hours
        return None

    def next_change(self, moment=None):
        """When the outlet next closes (open now) or opens, as residents read it
        under its name: an OpeningChange, or None when it will not open within
        OPENING_LOOKAHEAD_DAYS (closed by staff, no hours announced, or closed all
        that time). Public holidays and closures are skipped."""
        local = timezone.localtime(moment)
        period = self.period_at(local)
        if period is not None:
            closes = datetime.datetime.combine(local.date(), period.closes_at)
            return OpeningChange(True, closes, 0)
        if self.status != self.Status.OPEN:
            return None
        periods = sorted(self.opening_hours.all(), key=lambda h: h.opens_at)
        weekdays = {hours.weekday for hours in periods}
        for days_ahead in range(self.OPENING_LOOKAHEAD_DAYS):
            day = local.date() + datetime.timedelta(days=days_ahead)
            if day.weekday() not in weekdays or closures.closure_on(self, day):
                continue
            for hours in periods:
                later = days_ahead or hours.opens_at > local.time()
                if hours.weekday == day.weekday() and later:
                    opens = datetime.datetime.combine(day, hours.opens_at)
                    return OpeningChange(False, opens, days_ahead)
        return None

    def week_hours(self, today=None):
        """Each day of the week, Monday first (a WeekDay): its opening periods
        (none: the outlet is closed that day), its date in the coming week (from
        today, default now), and why the outlet is closed then despite its
        periods (a public holiday or a closure), if it is."""
        today = today or timezone.localdate()
        by_day = {day: [] for day in OpeningHours.Weekday}
        for hours in self.opening_hours.all():
            by_day[OpeningHours.Weekday(hours.weekday)].append(hours)
        rows = []
        for day, periods in by_day.items():
            date = today + datetime.timedelta(days=(day - today.weekday()) % 7)
            closed = closures.closure_on(self, date) if periods else None
            rows.append(WeekDay(day, periods, date, closed))
        return rows

    def closure_notices(self, today=None):
        """The days the outlet is closed, whatever its hours, from today (default)
        to closures.NOTICE_DAYS ahead: closures.notices()."""
        if self.status != self.Status.OPEN:
            return []
        return closures.notices(self, today or timezone.localdate())


@dataclasses.dataclass(frozen=True)
class WeekDay:
    """A row of an outlet's week (Outlet.week_hours): the weekday, its opening
    periods, its date in the coming week, and the closures.DaysClosed that closes
    the outlet on that date despite its periods, or None."""

    day: "OpeningHours.Weekday"
    periods: list
    date: datetime.date
    closed: "closures.DaysClosed | None"


@dataclasses.dataclass(frozen=True)
class OpeningChange:
    """An outlet's next opening or closing: whether it is open now, the local time
    of the change, and in how many days (0 today, 1 tomorrow)."""

    open_now: bool
    at: datetime.datetime
    days_ahead: int


class OpeningHours(models.Model):
    """One opening period of an outlet on a weekday, in local time (WIB)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.CASCADE,
        related_name="opening_hours",
        verbose_name=_("outlet"),
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    opens_at = models.TimeField(_("opens at"), default=datetime.time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(17, 0))

    class Meta:
        ordering = ["outlet", "weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_close_after_open",
                violation_error_message=_(
                    "The closing time must be after the opening time."
                ),
            ),
            models.UniqueConstraint(
                fields=["outlet", "weekday", "opens_at"],
                name="opening_hours_unique_start",
                violation_error_message=_(
                    "This outlet already opens at this time on this day."
                ),
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_weekday_display()} {self.opens_at:%H.%M}–{self.closes_at:%H.%M}"
        )


class OutletClosureQuerySet(models.QuerySet):
    def not_ended(self, on_date=None):
        """Closures whose last day is the date (today by default) or later."""
        return self.filter(ends_on__gte=on_date or timezone.localdate())


class OutletClosure(models.Model):
    """Days staff close an outlet whatever its weekly hours (a renovation, an
    event), first and last day included; public holidays close it by themselves
    (outlets/closures.py)."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("outlet"),
    )
    starts_on = models.DateField(_("first closed day"))
    ends_on = models.DateField(
        _("last closed day"),
        help_text=_("Included: the outlet opens again the day after."),
    )
    reason = models.CharField(
        _("reason"),
        max_length=120,
        help_text=_(
            "Shown to residents on the outlet page, e.g. “tutup sementara, renovasi”."
        ),
    )

    objects = OutletClosureQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="outlet_closure_dates_in_order",
                violation_error_message=_(
                    "The last closed day cannot be before the first closed day."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}: {self.reason}"


# Requests still waiting and approved displays not yet ended: a product has at most
# one such display at an outlet. The one rule of DisplayQuerySet.open() and of the
# constraint display_one_open_per_outlet_product (its migration has the same list).
OPEN_STATUSES = ["requested", "approved"]
OPEN_DISPLAY = Q(status__in=OPEN_STATUSES)


def display_not_ended(on_date):
    """The condition of a display without a last day, or whose last day is the date
    or later."""
    return Q(ends_on__isnull=True) | Q(ends_on__gte=on_date)


def display_on_show(on_date=None):
    """The condition of a display on show on the date (today by default): approved,
    and its date window includes the date. The one rule of DisplayQuerySet.current(),
    Display.takes_place(), the ON_DISPLAY stage and Display.stage()."""
    on_date = on_date or timezone.localdate()
    return (
        Q(status=Display.Status.APPROVED)
        & Q(starts_on__lte=on_date)
        & display_not_ended(on_date)
    )


class DisplayQuerySet(models.QuerySet):
    def waiting(self):
        """Requests waiting for a staff decision."""
        return self.filter(status=Display.Status.REQUESTED)

    def open(self):
        """Requests still waiting and approved displays not yet ended."""
        return self.filter(Display.OPEN)

    def not_ended(self, on_date=None):
        """Displays without a last day, or whose last day is the date (today by
        default) or later."""
        return self.filter(display_not_ended(on_date or timezone.localdate()))

    def current(self, on_date=None):
        """Approved displays whose date window includes the date (today by default):
        the condition display_on_show()."""
        return self.filter(display_on_show(on_date))

    def at(self, outlet):
        return self.filter(outlet=outlet)

    def for_product_page(self):
        """With their outlets, opening hours and closures (whether open now), by
        outlet name (three queries; one when there is none)."""
        return (
            self.select_related("outlet")
            .prefetch_related(*opening_state_prefetches("outlet__"))
            .order_by("outlet__name")
        )

    def owned_by(self, user):
        """Displays of the products of the user's businesses."""
        return self.filter(product__business__owner=user)

    def count_by_stage(self, on_date=None):
        """How many of these displays are at each Display.Stage, in one query."""
        stages = Display.stage_conditions(on_date)
        return self.aggregate(
            **{
                stage.value: models.Count("pk", filter=condition)
                for stage, condition in stages.items()
            }
        )

    def public(self):
        """Displays of products residents may see."""
        return self.filter(product__in=Product.objects.public())

    def for_listing(self):
        """All a displayed-product card shows, in a constant number of queries."""
        return self.select_related("outlet").prefetch_related(
            models.Prefetch("product", queryset=Product.objects.for_listing())
        )

    def with_business_last_shown(self, on_date=None):
        """Annotate last_shown_on: the last day a product of the display's business was
        on display at any outlet, up to the date (today by default); None if never.

        A display still on show counts as the date itself; one ended by hand without a
        last day counts as the day of that decision.
        """
        on_date = on_date or timezone.localdate()
        today = Value(on_date, output_field=models.DateField())
        last_day = Least(
            Case(
                When(status=Display.Status.APPROVED, then=Coalesce("ends_on", today)),
                default=Coalesce("ends_on", TruncDate("decided_at"), "starts_on"),
                output_field=models.DateField(),
            ),
            today,
        )
        shown = (
            Display.objects.filter(
                product__business=OuterRef("product__business"),
                status__in=[Display.Status.APPROVED, Display.Status.ENDED],
                starts_on__lte=on_date,
            )
            .order_by()
            .values("product__business")
            .annotate(last=Max(last_day))
            .values("last")
        )
        return self.annotate(
            last_shown_on=Subquery(shown, output_field=models.DateField())
        )

    def in_rotation_order(self, on_date=None):
        """The requests waiting for a place, in fair-rotation order (see
        Display.ROTATION_ORDERING)."""
        return (
            self.filter(status=Display.Status.REQUESTED)
            .with_business_last_shown(on_date)
            .order_by(*Display.ROTATION_ORDERING)
        )


class Display(Decided):
    """A product at an outlet: asked for by its owner or placed by staff, decided by
    staff of the outlet's agency (outlets/decisions.py), shown to residents within
    its date window."""

    OPEN_STATUSES = OPEN_STATUSES
    OPEN = OPEN_DISPLAY
    DECIDED_STATUSES = ["approved", "rejected", "ended"]
    # Fair rotation, so every UMKM gets a turn: businesses never on display first,
    # then those whose last display ended longest ago, then the oldest requests
    # (needs the last_shown_on annotation of with_business_last_shown()).
    ROTATION_ORDERING = [
        F("last_shown_on").asc(nulls_first=True),
        "created_at",
        "pk",
    ]

    class Stage(models.TextChoices):
        """Where a display stands for its owner on a given day."""

        REQUESTED = "requested", _("Awaiting decision")
        SCHEDULED = "scheduled", _("Approved, starts later")
        ON_DISPLAY = "on_display", _("On display")
        ENDED = "ended", _("Ended")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled by the owner")
        ENDED = "ended", _("Ended")

    # Staff approve, reject or end; the owner cancels a request.
    DECISIONS = {
        Status.APPROVED: {Status.REQUESTED},
        Status.REJECTED: {Status.REQUESTED},
        Status.ENDED: {Status.APPROVED},
        Status.CANCELLED: {Status.REQUESTED},
    }
    REASON_REQUIRED = frozenset([Status.REJECTED])

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.CASCADE,
        related_name="displays",
        verbose_name=_("outlet"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="displays",
        verbose_name=_("product"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.REQUESTED
    )
    starts_on = models.DateField(_("on display from"), null=True, blank=True)
    ends_on = models.DateField(
        _("on display until"),
        null=True,
        blank=True,
        help_text=_("Leave empty for an open-ended display."),
    )
    message = models.TextField(
        _("message from the owner"),
        blank=True,
        help_text=_("Written with the request."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Shown to the owner; required when rejecting."),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DisplayQuerySet.as_manager()
    # Every saved change, who made it and when (see products.Business.history).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("display")
        verbose_name_plural = _("displays")
        indexes = [
            models.Index(
                fields=["outlet", "status", "starts_on"], name="display_outlet_status"
            ),
            models.Index(
                fields=["status", "created_at"], name="display_status_created"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "product"],
                condition=OPEN_DISPLAY,
                name="display_one_open_per_outlet_product",
                violation_error_message=_(
                    "This product already has a request waiting or a place at "
                    "this outlet."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(starts_on__isnull=False),
                name="display_approved_has_start",
                violation_error_message=_("An approved display needs its first day."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="display_dates_in_order",
                violation_error_message=_(
                    "The last day cannot be before the first day."
                ),
            ),
        ]

    def __str__(self):
        # Names staff read in messages, history and lists (their lists select the
        # product and outlet along).
        return f"{self.product} @ {self.outlet}"

    def save(self, *args, **kwargs):
        """Saves, refusing (ValidationError) an approval beyond the outlet's capacity;
        the check and the save share one transaction and the outlet's row lock."""
        with transaction.atomic():
            if self.outlet_id and self.status == self.Status.APPROVED:
                self.check_capacity(self.outlet_id, [self])
            super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.check_product_is_public()
        if self.outlet_id and self.status == self.Status.APPROVED:
            self.check_capacity(self.outlet_id, [self])

    @classmethod
    def from_db(cls, db, field_names, values):
        display = super().from_db(db, field_names, values)
        # What was shown when loaded: see check_product_is_public().
        display._loaded_shown = (
            display.__dict__.get("status"),
            display.__dict__.get("product_id"),
        )
        return display

    def check_product_is_public(self):
        """Refuse (ValidationError) approving a display of a product residents may
        not see: it would take a place and show nothing. A display approved before
        its product was withdrawn is left alone, so that it can still be ended."""
        shown = (self.Status.APPROVED, self.product_id)
        if (
            self.status == self.Status.APPROVED
            and self.product_id
            and getattr(self, "_loaded_shown", None) != shown
            and not self.product.is_public
        ):
            raise ValidationError(
                {
                    "product": gettext(
                        "Only approved products of verified businesses can be put "
                        "on display."
                    )
                },
                code="product_not_public",
            )

    @staticmethod
    def stage_conditions(on_date=None):
        """The filter selecting the displays at each Stage on the date (today by
        default); an approved display whose last day has passed has ended."""
        on_date = on_date or timezone.localdate()
        approved = Q(status=Display.Status.APPROVED)
        past = Q(ends_on__lt=on_date)
        return {
            Display.Stage.REQUESTED: Q(status=Display.Status.REQUESTED),
            Display.Stage.SCHEDULED: approved & Q(starts_on__gt=on_date),
            Display.Stage.ON_DISPLAY: display_on_show(on_date),
            Display.Stage.ENDED: Q(status=Display.Status.ENDED) | (approved & past),
            Display.Stage.REJECTED: Q(status=Display.Status.REJECTED),
            Display.Stage.CANCELLED: Q(status=Display.Status.CANCELLED),
        }

    def takes_place(self, on_date):
        """Whether, as it stands (saved or not), the display is approved and on show
        on the date, so it takes one of the outlet's places: the condition of
        DisplayQuerySet.current() (display_on_show), read on the display."""
        return holds(display_on_show(on_date), self)

    def place_window(self):
        """(first day, last day or None when open-ended) of the days the display, as
        it stands, takes a place; None when it takes none (not approved)."""
        if self.status != self.Status.APPROVED or self.starts_on is None:
            return None
        return self.starts_on, self.ends_on

    @staticmethod
    def spans_newly_taken(window, held, since):
        """The parts of the window (see place_window) outside the held window (None
        when nothing was held) and not before the day since: a list of (first day,
        last day or None when open-ended)."""
        if window is None:
            return []
        first, last = max(window[0], since), window[1]
        if held is None:
            spans = [(first, last)]
        else:
            held_first, held_last = held
            day = datetime.timedelta(days=1)
            before = held_first - day
            spans = [(first, before if last is None else min(last, before))]
            if held_last is not None:
                spans.append((max(first, held_last + day), last))
        return [(a, b) for a, b in spans if b is None or a <= b]

    @classmethod
    def check_capacity(cls, outlet_id, displays):
        """Refuse (ValidationError "outlet_full") displays of the outlet, as about to
        be saved, that would put more approved displays on show on some day than the
        outlet's capacity.

        The rule: on no day that a display newly takes a place may the approved
        displays on show outnumber the places. "Newly" is against the display's
        stored row: the days it held a place already (approved at this outlet) are
        not checked again, so that an outlet over its capacity (staff lowered it)
        can still shorten or edit its displays, while a new approval, a later or
        removed last day or an earlier first day has its added days checked. Past
        days are never checked. The count only rises on a day a display starts, so
        the days checked are the first day of each newly taken span (today for one
        started already) and every start of another approved display within it.

        The displays count as they are about to be saved, in place of their stored
        rows (a row deleted on the outlet page comes as Display(pk=…,
        status=CANCELLED)). The outlet row is locked (SELECT … FOR UPDATE) so that
        two staff members approving at once are counted one after the other; call it
        inside the transaction that saves the displays to keep the lock until then.
        """
        today = timezone.localdate()
        with transaction.atomic():
            outlet = Outlet.objects.select_for_update().get(pk=outlet_id)
            passed = {display.pk for display in displays if display.pk}
            # One query: the outlet's approved displays not yet ended, and the
            # stored rows of the displays passed (to tell what they held).
            places = cls.objects.filter(
                outlet_id=outlet_id, status=cls.Status.APPROVED
            ).not_ended(today)
            rows_passed = cls.objects.filter(pk__in=passed)
            stored = (places | rows_passed).only(
                "outlet_id", "status", "starts_on", "ends_on"
            )
            held = {}
            planned = list(displays)
            for row in stored:
                if row.pk in passed:
                    if row.outlet_id == outlet_id:
                        held[row.pk] = row.place_window()
                else:
                    planned.append(row)
            starts = {other.starts_on for other in planned if other.place_window()}

            days = set()
            for display in displays:
                window, was_held = display.place_window(), held.get(display.pk)
                for first, last in cls.spans_newly_taken(window, was_held, today):
                    days.add(first)
                    days.update(
                        start
                        for start in starts
                        if first < start and (last is None or start <= last)
                    )

            for day in sorted(days):
                taken = sum(1 for other in planned if other.takes_place(day))
                if taken > outlet.display_capacity:
                    params = {
                        "outlet": outlet.name,
                        "taken": taken - 1,
                        "capacity": outlet.display_capacity,
                        "date": date_format(day),
                    }
                    if day == today:
                        message = gettext(
                            "%(outlet)s is already full (%(taken)d/%(capacity)d)."
                        )
                    else:
                        message = gettext(
                            "%(outlet)s is already full on %(date)s "
                            "(%(taken)d/%(capacity)d)."
                        )
                    raise ValidationError(message, code="outlet_full", params=params)

    def record_decision(self, status, by=None, reason=""):
        """Record the status staff (or the owner, cancelling) decided, who and when
        (not yet saved); called by products.decisions.decide()."""
        self.status = status
        self.decision_reason = reason
        self.decided_by = by
        self.decided_at = timezone.now()

    def stage(self, on_date=None):
        """This display's Stage on the date (today by default): the one of
        stage_conditions() it meets, as count_by_stage() counts it."""
        conditions = self.stage_conditions(on_date)
        return next(stage for stage, q in conditions.items() if holds(q, self))


class OutletCount(models.Model):
    """How often residents saw an outlet's page on a day."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.CASCADE,
        related_name="counts",
        verbose_name=_("outlet"),
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("page views"), db_default=0)

    class Meta:
        verbose_name = _("outlet count")
        verbose_name_plural = _("outlet counts")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "day"], name="outlet_count_day")
        ]

    def __str__(self):
        return f"{self.outlet_id} {self.day}"


class LabelScan(models.Model):
    """How many times a product's shelf label at an outlet was scanned on a day (its
    QR code opens /l/<outlet>/<product>/): a footfall signal for the gerai."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.CASCADE,
        related_name="label_scans",
        verbose_name=_("outlet"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="label_scans",
        verbose_name=_("product"),
    )
    day = models.DateField(_("day"))
    scans = models.PositiveIntegerField(_("scans"), db_default=0)

    class Meta:
        verbose_name = _("label scan count")
        verbose_name_plural = _("label scan counts")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "product", "day"], name="label_scan_day"
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="label_scan_by_day"),
            models.Index(fields=["product", "day"], name="label_scan_product_day"),
        ]

    def __str__(self):
        return f"{self.outlet_id} {self.product_id} {self.day}"
