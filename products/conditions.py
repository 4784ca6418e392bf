"""One condition for a rule, read two ways: as a filter (QuerySet.filter(q)) and on
one object in Python (holds(q, obj)), so that an instance check such as
Product.is_public or Certification.is_valid() is the queryset's rule itself, not a
second spelling of it, and stays query-free on rows already loaded (prefetched
certificates, a product with its business selected along).

holds() reads the lookups rules are written with: exact (the default), in,
isnull, lt, lte, gt, gte, following relations by their attributes (a relation not
loaded costs its query, as reading it would). As in the query, a comparison with
an empty value (None) is false, and so its negation true (Django's ~Q includes the
rows where the column is NULL)."""

import operator

from django.db.models import Q

LOOKUPS = {
    "exact": operator.eq,
    "in": lambda value, choices: value in choices,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


def holds(condition, obj):
    """Whether obj, as it stands (saved or not), meets the condition (a Q)."""
    # In order and lazily: a relation of a later child is read only when needed.
    results = (
        holds(child, obj) if isinstance(child, Q) else lookup_holds(*child, obj)
        for child in condition.children
    )
    if condition.connector == Q.AND:
        result = all(results)
    elif condition.connector == Q.OR:
        result = any(results)
    else:  # XOR: an odd number of the conditions hold
        result = sum(results) % 2 == 1
    return not result if condition.negated else result


def lookup_holds(lookup, expected, obj):
    """Whether obj meets one lookup of a Q ("business__status", "verified")."""
    *path, last = lookup.split("__")
    if last != "isnull" and last not in LOOKUPS:
        path, last = [*path, last], "exact"
    value = obj
    for name in path:
        value = getattr(value, name)
        if value is None:
            break
    if last == "isnull":
        return (value is None) == expected
    if value is None:
        return False
    return LOOKUPS[last](value, expected)
