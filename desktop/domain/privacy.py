"""Privacy rules that reach beyond one record.

- Some families must not be locatable (refuges, witness protection: seed
  004:168, 234). "Never print this address" belongs to the household, not
  to the one child it was ticked on: a brother or sister at the same address
  would otherwise print it on their own copies. So an address is withheld on
  every report when its address line or its postcode matches any pupil whose
  address is suppressed.
- A report's title travels further than the report (file managers, print
  queues): it names the pupil by initials only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .records import Pupil


def _normal(text: str) -> str:
    """Case, accents, spacing and punctuation ignored: 'Flat 2, Ribbleton' = 'flat 2 ribbleton'."""
    folded = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(c for c in folded if c.isalnum())


@dataclass(frozen=True)
class Households:
    """The addresses and postcodes of every pupil whose address is suppressed."""

    addresses: frozenset[str]
    postcodes: frozenset[str]

    @classmethod
    def of(cls, suppressed: Iterable[Pupil]) -> Households:
        pupils = [p for p in suppressed if p.suppress_address]
        return cls(
            addresses=frozenset(a for p in pupils if (a := _normal(p.address))),
            postcodes=frozenset(c for p in pupils if (c := _normal(p.postcode))),
        )

    def withholds(self, pupil: Pupil) -> bool:
        """True when no report may print this pupil's address, nor where they were seen."""
        if pupil.suppress_address:
            return True
        address, postcode = _normal(pupil.address), _normal(pupil.postcode)
        return bool(address and address in self.addresses) or bool(postcode and postcode in self.postcodes)


def initials(name: str) -> str:
    """'Seán Ó Súilleabháin' -> 'SÓS': each part's first letter, as written."""
    return "".join(part[0] for part in name.replace("-", " ").split() if part[0].isalpha()).upper() or "?"
