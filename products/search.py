"""Product search: which products match the words a resident typed and how well
(search(), behind ProductQuerySet.search()), and reading one page of the results
(SearchPaginator)."""

from functools import reduce
from operator import add

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import Coalesce

# PostgreSQL's text search configuration for product text (stems "kerajinan" → "rajin").
SEARCH_CONFIG = "indonesian"
# Shorter words have too few trigrams to tell a typo from another word ("tas" would
# find "Talas"), so they must match as words.
TYPO_MIN_WORD_LENGTH = 5


def search(products, text):
    """The products matching the words, with their relevance in `rank`
    (ProductQuerySet.search() tells the rules)."""
    words = text.split()
    if not words:
        return products.annotate(rank=Value(0.0))
    if connections[products.db].vendor == "postgresql":
        return _postgresql_search(products, text, words)
    return _fallback_search(products, words)


def _postgresql_search(products, text, words):
    # Both conditions have a GIN index of public products (products/migrations/
    # 0017): the planner ORs the two bitmaps, so only the matching rows are read and
    # ranked.
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    matches = Q(search_vector=query)
    if max(map(len, words)) >= TYPO_MIN_WORD_LENGTH:
        matches |= TrigramWordSimilar(F("name"), text)
    return products.filter(matches).annotate(
        rank=Coalesce(SearchRank(F("search_vector"), query), Value(0.0))
        + TrigramWordSimilarity(text, "name")
    )


def _fallback_search(products, words):
    for word in words:
        products = products.filter(
            Q(name__icontains=word)
            | Q(category__name__icontains=word)
            | Q(business__name__icontains=word)
            | Q(description__icontains=word)
        )
    return products.annotate(
        rank=reduce(
            add,
            [Case(When(name__icontains=word, then=1.0), default=0.0) for word in words],
        )
    )


class SearchPaginator(Paginator):
    """A paginator of search results (an ordered queryset of products) that reads a
    page's products and the count of all results in one query, not a COUNT and
    then the page: every match is ranked (and sorted) for any page anyway, so
    counting them as well costs next to nothing, and the query reads only the
    product's id and rank, not the joined rows of every match. The products of the
    page are then read by id from `cards` (by default the queryset itself; a list
    of cards passes only the columns its cards show, without the ranking).

    A page past the end is rare (a stale link): then it counts, and shows the last
    page, as Paginator.get_page() does."""

    # Searches match a few thousand products at most: 24 × 1000 is past them all.
    MAX_READ_PAGE = 1000

    def __init__(self, object_list, per_page, cards=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cards = object_list if cards is None else cards

    def get_page(self, number):
        try:
            # As Paginator.validate_number(): "2.5" or "abc" is the first page.
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        # A page number past any result (a hostile 10**30 would overflow OFFSET)
        # is left to Paginator, which counts first.
        if (
            1 <= number <= self.MAX_READ_PAGE
            and not self.orphans
            and self.allow_empty_first_page
        ):
            page = self._read_page(number)
            if page is not None:
                return page
        return super().get_page(number)

    def _read_page(self, number):
        """The page, or None when it is past the end (the count is then unknown)."""
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.prefetch_related(None)
            .annotate(search_total=Window(Count("pk")))
            .values_list("pk", "search_total")[bottom : bottom + self.per_page]
        )
        if not rows:
            if number > 1:
                return None
            self.__dict__["count"] = 0  # Paginator.count is a cached_property.
            return self._get_page([], number, self)
        self.__dict__["count"] = rows[0][1]
        pks = [pk for pk, _ in rows]
        products = {
            product.pk: product for product in self.cards.filter(pk__in=pks).order_by()
        }
        # In the order of the ranking; one gone since the first query is left out.
        return self._get_page(
            [products[pk] for pk in pks if pk in products], number, self
        )
