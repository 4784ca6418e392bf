import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import (
    CreateView,
    DeleteView,
    DetailView,
    ListView,
    UpdateView,
    View,
)
from django.views.generic.detail import SingleObjectMixin

from serang_umkm.counting import count, normalised_search
from serang_umkm.page_cache import (
    OPEN_NOW,
    SEARCH,
    CatalogueCountPaginator,
    business_scope,
    category_scope,
    current_generation,
    depends_on,
    private_page,
    product_scope,
)

from . import decisions, insights, summaries
from .charts import Column, ColumnChart
from .forms import BusinessForm, ProductFilterForm, ProductForm
from .models import (
    Business,
    Certification,
    Product,
    count_products,
    current_display_exists,
    display_model,
    ordered_photos,
    prefetch_photos,
)
from .rupiah import format_rupiah
from .search import SearchPaginator
from .templatetags.catalogue import whatsapp_link

# The orders of ProductFilterForm's `urut`; "pk" keeps pages stable among equals.
ORDERINGS = {
    "relevan": ["-rank", "pk"],
    "terbaru": ["-created_at", "pk"],
    "harga": ["price", "pk"],
    "-harga": ["-price", "pk"],
    "nama": ["name", "pk"],
}


class ProductListView(ListView):
    """Anyone searches and filters the public products; the address holds the
    search, filters, order and page, so any result page can be shared."""

    paginate_by = 24
    # The count of results is kept until the catalogue changes.
    paginator_class = CatalogueCountPaginator

    def get_queryset(self):
        self.form = ProductFilterForm(self.request.GET)
        self.form.is_valid()  # Invalid filters drop out of cleaned_data.
        data = self.form.cleaned_data
        products = Product.objects.public()
        if data.get("q"):
            products = products.search(data["q"])
            # Search reads descriptions too, which no list shows
            # (serang_umkm/page_cache.py).
            depends_on(self.request, SEARCH)
        if data.get("kategori"):
            products = products.in_category(data["kategori"])
        if data.get("gerai"):
            products = products.on_display(data["gerai"])
        if data.get("kecamatan"):
            products = products.in_kecamatan(data["kecamatan"])
        if data.get("halal"):
            products = products.halal()
        products = products.priced_between(data.get("harga_min"), data.get("harga_max"))
        return products.for_listing().order_by(*ORDERINGS[data["urut"]])

    def paginate_queryset(self, queryset, page_size):
        # Unlike ListView's, a page number out of range or not a number shows the
        # nearest page (a shared or stale link still lands somewhere), not a 404.
        if self.form.cleaned_data.get("q"):
            # Every match is ranked for any page: the page and the count of
            # results are read together, then the page's cards by id (only the
            # columns they show, without ranking them again).
            cards = Product.objects.public().for_cards()
            paginator = SearchPaginator(
                queryset,
                page_size,
                cards=cards.prefetch_related(ordered_photos()),
                orphans=self.get_paginate_orphans(),
            )
        else:
            # Only the columns the cards show (not the descriptions and search
            # vectors of the page's products and businesses, nor categories).
            cards = queryset.select_related(None).for_cards()
            paginator = self.get_paginator(cards, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            form=self.form,
            query=self.form.cleaned_data.get("q"),
            filter_form_key=self.filter_form_key(),
            **kwargs,
        )
        self.count_search_without_results(context)
        return context

    def count_search_without_results(self, context):
        """A search alone (no other filter) that found nothing is counted by its
        normalised words: what residents look for that no UMKM offers yet."""
        data = self.form.cleaned_data
        if not context["query"] or context["paginator"].count:
            return
        if any(
            data.get(name) not in (None, "", False)
            for name in self.form.FILTERS
            if name != "q"
        ):
            return
        if term := normalised_search(context["query"]):
            count(self.request, "sm", term)

    def filter_form_key(self):
        """What the rendered filter form is kept under: the address's filters (not
        its page), the language and the generation (its choices, outlets and
        categories, change with every page's)."""
        generation = current_generation()
        filters = sorted(
            (name, value)
            for name, values in self.request.GET.lists()
            if name != self.page_kwarg
            for value in values
        )
        return f"{generation}:{get_language()}:{urlencode(filters)}"


class ProductDetailView(DetailView):
    """Anyone sees a public product, how to reach its maker and similar products;
    any other product is a 404."""

    related_count = 4

    def get_queryset(self):
        # Whether it has checked certificates and is on display today, in the
        # product's own query: most products have neither, and their page then
        # reads neither.
        certificates = Certification.objects.verified().filter(product=OuterRef("pk"))
        return (
            Product.objects.public()
            .select_related("business__kelurahan__kecamatan", "category")
            .defer("search_vector")
            .annotate(
                has_certificates=Exists(certificates),
                on_display=current_display_exists(),
            )
        )

    def get_context_data(self, **kwargs):
        product = self.object
        url = self.request.build_absolute_uri(product.get_absolute_url())
        related = list(
            Product.objects.public()
            .in_category(product.category_id)
            .exclude(pk=product.pk)
            .for_cards()
            .order_by("-created_at", "pk")[: self.related_count]
        )
        # The photos of the product and of the similar ones in one query, its
        # checked certificates (if any) in another.
        prefetch_photos([product, *related])
        product.verified_certifications = (
            list(
                Certification.objects.verified()
                .filter(product=product)
                .order_by("kind")
            )
            if product.has_certificates
            else []
        )
        # The page shows the product and similar ones: cached until one of them,
        # or which products its category holds, changes (serang_umkm/page_cache.py).
        depends_on(
            self.request,
            product_scope(product.pk),
            category_scope(product.category_id),
            *(product_scope(other.pk) for other in related),
        )
        # A resident's view, counted (serang_umkm/counting.py), not the owner's.
        count(self.request, "pv", product.pk, owner_id=product.business.owner_id)
        main_photo = product.main_photo
        image = (
            self.request.build_absolute_uri(main_photo.large.url) if main_photo else ""
        )
        # Where it is on display today: the page's list, its directions and the
        # offer's availability all read these rows, so the day's page (the cache
        # keys pages by day) says the same everywhere.
        displays = (
            list(product.displays.current().for_product_page())
            if product.on_display
            else []
        )
        if displays:
            # The list shows whether those outlets are open now.
            depends_on(self.request, OPEN_NOW)
        # The way to the first of them that is on the map (as the list orders them).
        directions_to = next(
            (d.outlet for d in displays if d.outlet.has_location), None
        )
        share_text = f"{product.name} {url}"
        return super().get_context_data(
            related_products=related,
            # "Pesan lewat WhatsApp" goes through our counting redirect.
            order_url=(
                reverse("order_on_whatsapp", args=[product.pk])
                if product.business.whatsapp
                else ""
            ),
            displays=displays,
            directions_to=directions_to,
            share_url=url,
            share_whatsapp_url="https://wa.me/?" + urlencode({"text": share_text}),
            today=timezone.localdate(),
            structured_data=product.structured_data(
                url, image, on_display=bool(displays)
            ),
            **kwargs,
        )


def whatsapp_message(product, url):
    """The message "Pesan lewat WhatsApp" prefills. The maker reads it: in the
    site's language (Indonesian), whichever language the resident browses in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Hello %(business)s, I am interested in %(product)s, %(price)s per "
            "%(unit)s (%(url)s), which I found on Gerai UMKM Kota Serang. Is it "
            "still available?"
        ) % {
            "business": product.business.name,
            "product": product.name,
            "price": format_rupiah(product.price),
            "unit": product.unit,
            "url": url,
        }


@private_page
def order_on_whatsapp(request, pk):
    """/wa/<product>/: the "Pesan lewat WhatsApp" button, counted as a tap
    (serang_umkm/counting.py), then on to wa.me with the prefilled message. A plain
    link, so it works without JavaScript, long-pressed and copied. A product that
    is no longer public, or whose maker has no WhatsApp number, leads to its page
    (a 404 there when it is not public)."""
    product = (
        Product.objects.public()
        .select_related("business")
        .only(
            "name",
            "slug",
            "price",
            "unit",
            "business__name",
            "business__owner_id",
            "business__whatsapp",
        )
        .filter(pk=pk)
        .first()
    )
    if product is None:
        raise Http404
    if not product.business.whatsapp:
        return redirect(product)
    count(request, "wa", product.pk, owner_id=product.business.owner_id)
    url = request.build_absolute_uri(product.get_absolute_url())
    response = redirect(
        whatsapp_link(product.business.whatsapp, whatsapp_message(product, url))
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class BusinessDetailView(DetailView):
    """Anyone sees a verified business, how to contact it and its public products;
    others are a 404."""

    paginate_by = 24

    def get_queryset(self):
        return Business.objects.verified().select_related("kelurahan__kecamatan")

    def get_context_data(self, **kwargs):
        business = self.object
        # Cached until the business or one of its products changes.
        depends_on(self.request, business_scope(business.pk))
        count(self.request, "bv", business.pk, owner_id=business.owner_id)
        products = (
            Product.objects.public()
            .filter(business=business)
            .for_cards()
            .order_by("name", "pk")
        )
        number = self.request.GET.get("page")
        # Nearly every business has a page of products or less: read one more
        # than a page, and count them only when there are more.
        first = list(products[: self.paginate_by + 1])
        if len(first) <= self.paginate_by:
            page = Paginator(first, self.paginate_by).get_page(number)
        else:
            page = Paginator(products, self.paginate_by).get_page(number)
            page.object_list = list(page.object_list)
        prefetch_photos(page.object_list)
        url = self.request.build_absolute_uri(business.get_absolute_url())
        message = _(
            "Hello %(business)s, I found you on Gerai UMKM Kota Serang (%(url)s)."
        ) % {"business": business.name, "url": url}
        # Where its public products are on display now (one query).
        displays = list(
            display_model()
            .objects.current()
            .public()
            .filter(product__business=business)
            .select_related("outlet", "product")
            .only("outlet__name", "outlet__slug", "product__name", "product__slug")
            .order_by("outlet__name", "product__name")
        )
        return super().get_context_data(
            page_obj=page,
            products=page.object_list,
            displays=displays,
            whatsapp_message=message,
            structured_data=business.structured_data(url),
            **kwargs,
        )


@private_page
class BusinessListView(LoginRequiredMixin, ListView):
    """An owner sees their businesses with the verification status and, when
    rejected, the reason; other owners' businesses never appear."""

    def get_queryset(self):
        return (
            Business.objects.owned_by(self.request.user)
            .select_related("kelurahan__kecamatan")
            .annotate(product_count=count_products("business"))
            .order_by("name", "pk")
        )


class BusinessSaveMixin:
    """Saves a business form; an NIB registered meanwhile is a form error."""

    model = Business
    form_class = BusinessForm
    success_url = reverse_lazy("products:owner_businesses")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "proposer": self.request.user}

    def save(self, form):
        try:
            with transaction.atomic():
                self.object = form.save()
        except IntegrityError:
            nib = form.cleaned_data.get("nib")
            if not nib or not Business.objects.filter(nib=nib).exists():
                raise
            token = form.instance.creation_token
            if (
                form.instance._state.adding
                and token
                and Business.objects.filter(creation_token=token).exists()
            ):
                raise  # the same form sent twice at once (CreatedOnceMixin)
            form.add_error(
                "nib", _("Another business is already registered with this NIB.")
            )
            return False
        return True


class CreatedOnceMixin:
    """A create view whose form carries a one-time token (forms.OneTimeTokenForm),
    stored with what it creates: the same form sent again (a double click, a
    reload) leads to the object already created instead of a second one. A token
    of someone else's (copied from another form) is replaced by a fresh one: the
    submission is new, and never leads to, or fails on, another user's object."""

    # The URL name, taking the slug, of what a repeated submission leads to.
    created_url_name = None

    def get_initial(self):
        return {**super().get_initial(), "form_token": uuid.uuid4()}

    def post(self, request, *args, **kwargs):
        # Before the form is checked: sent again, it would fail on what its
        # first submission saved (the business's NIB, for one).
        try:
            token = uuid.UUID(request.POST.get("form_token", ""))
        except ValueError:
            token = None
        if token and (created := self.created_with(token)):
            return self.already_created(created)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        token = form.cleaned_data.get("form_token")
        if token:
            owned = self.model.objects.owned_by(self.request.user)
            if (
                self.model.objects.filter(creation_token=token)
                .exclude(pk__in=owned.values("pk"))
                .exists()
            ):
                token = uuid.uuid4()
        form.instance.creation_token = token
        try:
            return self.create(form)
        except IntegrityError:
            # A concurrent submission of the same form won the unique token.
            if token and (created := self.created_with(token)):
                return self.already_created(created)
            raise

    def create(self, form):
        """Save the valid form (its instance has the token) and answer."""
        raise NotImplementedError

    def created_with(self, token):
        return (
            self.model.objects.owned_by(self.request.user)
            .filter(creation_token=token)
            .first()
        )

    def already_created(self, obj):
        messages.info(
            self.request,
            _("“%(name)s” was already saved; here it is.") % {"name": obj.name},
        )
        return redirect(self.created_url_name, slug=obj.slug)


@private_page
class BusinessCreateView(
    LoginRequiredMixin, CreatedOnceMixin, BusinessSaveMixin, CreateView
):
    """A signed-in user registers a business they own; it awaits verification.
    A repeated submission of the form leads to the business registered."""

    created_url_name = "products:business_update"

    def create(self, form):
        form.instance.owner = self.request.user
        if not self.save(form):
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "“%(name)s” is registered. Staff will verify it; you can add "
                "products meanwhile."
            )
            % {"name": self.object.name},
        )
        return redirect(self.get_success_url())


@private_page
class BusinessUpdateView(LoginRequiredMixin, BusinessSaveMixin, UpdateView):
    """An owner edits their own business (others get 404); a rejected business
    goes back to verification. A verified one stays verified: a changed name, NIB
    or WhatsApp number waits for staff review, the rest is saved at once."""

    def get_queryset(self):
        return Business.objects.owned_by(self.request.user)

    @transaction.atomic
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        business = form.instance
        resubmitted = business.status == Business.Status.REJECTED
        if not self.save(form):
            return self.form_invalid(form)
        if resubmitted:
            decisions.resubmit_business(business, by=self.request.user)
            text = _("“%(name)s” is saved and sent to staff for verification again.")
        else:
            text = _("“%(name)s” is saved.")
        messages.success(self.request, text % {"name": business.name})
        proposal_message(self.request, form.proposed_change)
        return redirect(self.get_success_url())


def proposal_message(request, change):
    """Tell the owner which of their changes wait for staff review."""
    if change is None:
        return
    messages.info(
        request,
        _(
            "Your change to %(fields)s waits for review by the city staff; "
            "residents see the checked details until then."
        )
        % {
            "fields": ", ".join(
                str(what) for what, _before, _after in change.comparison()
            )
        },
    )


@private_page
class OwnerProductListView(LoginRequiredMixin, ListView):
    """An owner sees all their products, whatever the status, with what they can
    do next; other owners' products never appear."""

    template_name = "products/owner_product_list.html"
    paginate_by = 24

    def get_queryset(self):
        return (
            Product.objects.owned_by(self.request.user)
            .for_listing()
            .order_by("-created_at", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_business=Business.objects.owned_by(self.request.user).exists(),
            **kwargs,
        )


class ProductFormMixin:
    """The product form, offering only the signed-in owner's businesses."""

    model = Product
    form_class = ProductForm
    success_url = reverse_lazy("products:owner_products")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_business=Business.objects.owned_by(self.request.user).exists(),
            **kwargs,
        )


@private_page
class ProductCreateView(
    LoginRequiredMixin, CreatedOnceMixin, ProductFormMixin, CreateView
):
    """An owner adds a product to one of their businesses, as a draft. The form's
    one-time token makes a repeated submission (a double click) lead to the
    product already created instead of a second one (CreatedOnceMixin)."""

    created_url_name = "products:product_update"

    def create(self, form):
        self.object = form.save()
        messages.success(
            self.request,
            _(
                "“%(name)s” is saved as a draft. Submit it for review when it is "
                "complete."
            )
            % {"name": self.object.name},
        )
        return redirect(self.get_success_url())


@private_page
class ProductUpdateView(LoginRequiredMixin, ProductFormMixin, UpdateView):
    """An owner edits their own product (others get 404). The status stays: an
    approved product stays public, and staff see what changed since review."""

    def get_queryset(self):
        return Product.objects.owned_by(self.request.user).select_related(
            "business", "category"
        )

    @transaction.atomic
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.object = form.save()
        messages.success(
            self.request, _("“%(name)s” is saved.") % {"name": self.object.name}
        )
        proposal_message(self.request, form.proposed_change)
        return redirect(self.get_success_url())


@private_page
class ProductStatusView(LoginRequiredMixin, SingleObjectMixin, View):
    """An owner moves their own product to another status by POST (others get
    404); from a status that does not allow it, nothing changes."""

    http_method_names = ["post"]
    decision = None

    def get_queryset(self):
        return Product.objects.owned_by(self.request.user)

    def post(self, request, *args, **kwargs):
        product = self.get_object()
        try:
            self.decision(product, by=request.user)
        except ValidationError:
            messages.error(request, self.refused_message() % {"name": product.name})
        else:
            messages.success(request, self.done_message() % {"name": product.name})
        return redirect("products:owner_products")


class ProductSubmitView(ProductStatusView):
    """An owner submits a draft, rejected or withdrawn product for staff review."""

    decision = staticmethod(decisions.submit_product)

    def done_message(self):
        return _("“%(name)s” is sent to staff for review.")

    def refused_message(self):
        return _("“%(name)s” cannot be submitted for review in its current status.")


class ProductWithdrawView(ProductStatusView):
    """An owner withdraws a pending or approved product from review and from the
    public catalogue."""

    decision = staticmethod(decisions.withdraw_product)

    def done_message(self):
        return _("“%(name)s” is withdrawn; residents no longer see it.")

    def refused_message(self):
        return _("“%(name)s” cannot be withdrawn in its current status.")


@private_page
class ProductDeleteView(LoginRequiredMixin, DeleteView):
    """An owner deletes their own draft, rejected or withdrawn product after
    confirming (others get 404); a product that was ever on display at an outlet
    is kept for the outlet's records."""

    template_name = "products/product_confirm_delete.html"
    success_url = reverse_lazy("products:owner_products")

    def get_queryset(self):
        return Product.objects.owned_by(self.request.user).select_related("business")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_displays=self.object.displays.exists(), **kwargs
        )

    def form_valid(self, form):
        product = self.object
        if not product.can_be_deleted or product.displays.exists():
            messages.error(
                self.request,
                _("“%(name)s” cannot be deleted; you can withdraw it instead.")
                % {"name": product.name},
            )
            return redirect(reverse("products:owner_products"))
        product.delete()  # its photos' files go once deleted (delete_stored_files)
        messages.success(
            self.request, _("“%(name)s” is deleted.") % {"name": product.name}
        )
        return redirect(self.get_success_url())


@private_page
class ProductStatisticsView(LoginRequiredMixin, DetailView):
    """An owner sees how one of their products did in the last 30 days: its page
    views, WhatsApp taps and label scans per day (charts, and a table), each
    outlet's share of the scans, and its views against its category's median.
    Another owner's product is a 404."""

    template_name = "products/product_statistics.html"

    def get_queryset(self):
        return Product.objects.owned_by(self.request.user).select_related(
            "business", "category"
        )

    def get_context_data(self, **kwargs):
        product = self.object
        days = insights.DAYS
        series = insights.daily_series(product, days)
        totals = insights.Totals(
            views=sum(day.views for day in series),
            taps=sum(day.taps for day in series),
            scans=sum(day.scans for day in series),
        )
        charts = [
            ColumnChart(
                f"chart-{kind}",
                title,
                kind,
                [Column(day.day, getattr(day, kind)) for day in series],
            )
            for kind, title in [
                ("views", _("Page views")),
                # Also a field's name, translated in lower case.
                ("taps", capfirst(_("WhatsApp taps"))),
                ("scans", _("Label scans")),
            ]
        ]
        return super().get_context_data(
            days=days,
            series=series,
            totals=totals,
            charts=charts,
            shares=insights.scan_shares(product, days),
            median=insights.category_median(product, days, views=totals.views),
            **kwargs,
        )


@private_page
@login_required
@require_POST
def monthly_summary(request):
    """The owner turns the monthly summary email on (aktif=1) or off, from their
    dashboard."""
    user = request.user
    user.monthly_summary = request.POST.get("aktif") == "1"
    user.save(update_fields=["monthly_summary"])
    if user.monthly_summary:
        messages.success(
            request,
            _(
                "You will get a summary of your products by email at the start of "
                "each month."
            ),
        )
    else:
        messages.success(request, _("You will get no more monthly summaries."))
    return redirect("outlets:dashboard")


@private_page
def stop_monthly_summary(request, token):
    """The link in every monthly summary: stops them without signing in. A GET only
    asks (mail scanners open links); the button confirms."""
    user = summaries.user_of_token(token)
    if user is None:
        raise Http404
    stopped = False
    if request.method == "POST":
        user.monthly_summary = False
        user.save(update_fields=["monthly_summary"])
        stopped = True
    return render(
        request,
        "products/monthly_summary_stop.html",
        {"email": user.email, "stopped": stopped, "subscribed": user.monthly_summary},
    )
