"""Prices in whole rupiah, read the way people write them: the one rule for the
owner's product form, the price filter and the register import."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# "Rp", "Rp.", "IDR" before; ",-", ".-", ",00" after.
PREFIX = re.compile(r"^(?:rp|idr)\s*\.?\s*", re.IGNORECASE)
SUFFIX = re.compile(r"(?:[,.]-|-|[,.]00)$")
MULTIPLIERS = {
    "rb": 1_000,
    "rbu": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
}
# 25.000 (Indonesian grouping), 25,000 (English grouping), 25000
GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d+")
# 1,5 jt, 2.5 rb, 26 rb
SCALED = re.compile(
    r"(\d+(?:[.,]\d{1,3})?)\s*("
    + "|".join(sorted(MULTIPLIERS, key=len)[::-1])
    + r")\.?"
)


def parse_rupiah(value):
    """Whole rupiah of a price as written: 25000, "25.000", "Rp. 25.000,-",
    "Rp 12.500", "26rb", "4 ribu", "5K", "1,5 jt". None for an empty value;
    ValueError (with a message for people) for anything else."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(not_rupiah(value))
    text = " ".join(str(value).split())
    if not text:
        return None
    bare = SUFFIX.sub("", PREFIX.sub("", text.casefold())).strip()
    scaled = SCALED.fullmatch(bare)
    if scaled:
        number, unit = scaled.groups()
        try:
            amount = Decimal(number.replace(",", ".")) * MULTIPLIERS[unit]
        except InvalidOperation as error:
            raise ValueError(not_rupiah(text)) from error
        if amount != amount.to_integral_value():
            raise ValueError(not_rupiah(text))
        return int(amount)
    if GROUPED.fullmatch(bare):
        return int(re.sub(r"[.,]", "", bare))
    raise ValueError(not_rupiah(text))


def not_rupiah(value):
    return _("“%(value)s” is not a price in whole rupiah, e.g. 25.000 or 25rb.") % {
        "value": value
    }


def format_rupiah(value):
    """Whole rupiah written the Indonesian way: 25000 → "Rp 25.000" ("" for what
    is no amount)."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return f"Rp {amount:,}".replace(",", ".")
