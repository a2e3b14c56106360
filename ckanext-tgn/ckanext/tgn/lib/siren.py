"""SIREN numbers: 9 digits whose last is a Luhn check digit (INSEE's rule). Pure functions."""

from __future__ import annotations

# La Poste's SIREN predates the check digit rule and is the one known exception to it.
_WITHOUT_LUHN = {"356000000"}


def _luhn_total(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total


def is_valid(siren: str) -> bool:
    """9 digits with a right check digit."""
    if len(siren) != 9 or not siren.isdigit():
        return False
    return siren in _WITHOUT_LUHN or _luhn_total(siren) % 10 == 0


def luhn_valid(digits: str) -> bool:
    """The Luhn key of SIREN and SIRET numbers (digits only)."""
    return _luhn_total(digits) % 10 == 0


def with_check_digit(first_eight: str) -> str:
    """The valid SIREN that starts with these 8 digits (for tests and fixtures)."""
    return next(first_eight + d for d in "0123456789" if _luhn_total(first_eight + d) % 10 == 0)


def siret_is_valid(siret: str) -> bool:
    """14 digits with a right check: Luhn, except for La Poste's establishments, whose
    digits add up to a multiple of 5 (INSEE's rule for them)."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret[:9] in _WITHOUT_LUHN:
        return sum(int(c) for c in siret) % 5 == 0
    return _luhn_total(siret) % 10 == 0
