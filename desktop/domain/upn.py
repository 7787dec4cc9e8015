"""Unique Pupil Number: a check letter, the 3-digit LA code, 8 digits, then a
digit (or a letter, for a temporary UPN)."""

from __future__ import annotations

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


class UpnError(ValueError):
    """A UPN that fails a rule; the message says which rule."""


def check_letter(body: str) -> str:
    """The check letter for the 12 characters that follow it (positions 2-13)."""
    if not (body.isascii() and body.isalnum()):
        raise UpnError("UPN must use only the letters A-Z and the digits 0-9")
    total = 0
    for position, char in enumerate(body, start=2):
        value = CHECK_LETTERS.index(char) if char.isalpha() else int(char)
        total += value * position
    return CHECK_LETTERS[total % 23]


def validate_upn(upn: str) -> str:
    """Return the UPN normalised (upper case, no spaces) or raise UpnError."""
    text = upn.strip().upper().replace(" ", "")
    if not text.isascii():
        # str.isdigit() accepts Arabic-Indic and superscript digits; a UPN holds only A-Z and 0-9.
        odd = next(c for c in text if not c.isascii())
        raise UpnError(f"UPN must use only the letters A-Z and the digits 0-9; '{odd}' is not one of them")
    if len(text) != 13:
        raise UpnError(f"UPN must be 13 characters; '{upn}' has {len(text)}")
    first, la_code, serial, last = text[0], text[1:4], text[4:12], text[12]
    if first not in CHECK_LETTERS:
        raise UpnError(f"UPN must start with a check letter (one of {CHECK_LETTERS}); got '{first}'")
    if not la_code.isdigit():
        raise UpnError(f"UPN characters 2-4 must be the 3-digit LA code; got '{la_code}'")
    if not serial.isdigit():
        raise UpnError(f"UPN characters 5-12 must be digits; got '{serial}'")
    if not (last.isdigit() or last in CHECK_LETTERS):
        raise UpnError(f"UPN must end with a digit or, if temporary, a letter; got '{last}'")
    expected = check_letter(text[1:])
    if first != expected:
        raise UpnError(f"UPN check letter is wrong: expected {expected}, got {first}")
    return text


def is_temporary(upn: str) -> bool:
    return validate_upn(upn)[12].isalpha()
