"""How strong a passphrase is: one rule for the app's first-run page, the
CLI's `init` and `passwd`, and the services that make or re-key a profile."""

from __future__ import annotations

import math

MIN_LENGTH = 8
COMMON = {"password", "passw0rd", "12345678", "123456789", "qwertyui", "letmein1", "iloveyou", "waymark1"}
ACCEPTED = 2  # fair or strong: a weak passphrase is refused, with the hint saying why


def passphrase_strength(text: str) -> tuple[int, str]:
    """A rough strength score (0 too short, 1 weak, 2 fair, 3 strong) and a hint in words.

    Entropy from length and the kinds of characters used; long passphrases of
    ordinary words score well, which is the habit worth encouraging.
    """
    if len(text) < MIN_LENGTH:
        return 0, f"Too short: use at least {MIN_LENGTH} characters. Three or four unrelated words work well."
    if text.casefold() in COMMON or len(set(text)) <= 3:
        return 1, "Weak: this is easy to guess. Try three or four unrelated words."
    pool = 0
    pool += 26 if any(c.islower() for c in text) else 0
    pool += 26 if any(c.isupper() for c in text) else 0
    pool += 10 if any(c.isdigit() for c in text) else 0
    pool += 33 if any(not c.isalnum() for c in text) else 0
    bits = len(text) * math.log2(max(pool, 2))
    if bits < 50:
        return 1, "Weak: add another word or two."
    if bits < 70:
        return 2, "Fair: a longer passphrase would be stronger."
    return 3, "Strong."


def passphrase_problem(text: str) -> str | None:
    """Why a new passphrase is refused, or None when it will do."""
    score, hint = passphrase_strength(text)
    if score >= ACCEPTED:
        return None
    return f"That passphrase is too weak. {hint}"
