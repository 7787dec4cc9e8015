import pytest
import pyuca

from desktop.domain.collation import collation_key, name_key


@pytest.fixture(scope="module")
def collator() -> pyuca.Collator:
    return pyuca.Collator()


PEOPLE = [
    ("Łukasz", "Kowalski"),
    ("Seán", "Ó Súilleabháin"),
    ("Máire", "Ó Súilleabháin"),
    ("Niamh", "O'Sullivan"),
    ("Zoë", "Smith"),
    ("Zoe", "Smith"),
    ("Levi", "Lee"),
    ("Mirela", "Lăcătuș"),
    ("Ada", "Zielińska"),
    ("Tom", "Öberg"),
    ("Kai", "Ahmed"),
    ("Esme", "lee"),
]


def test_surname_first_with_accents_where_a_reader_expects_them():
    ordered = [f"{f} {s}" for f, s in sorted(PEOPLE, key=lambda p: name_key(p[1], p[0]))]
    assert ordered == [
        "Kai Ahmed",
        "Łukasz Kowalski",  # under K: the surname, not the Ł of the forename
        "Mirela Lăcătuș",
        "Esme lee",
        "Levi Lee",
        "Máire Ó Súilleabháin",  # O with an accent sorts with O, not after Z; the siblings sit together
        "Seán Ó Súilleabháin",
        "Niamh O'Sullivan",
        "Tom Öberg",
        "Zoe Smith",
        "Zoë Smith",
        "Ada Zielińska",
    ]


@pytest.mark.parametrize(
    "text", ["Ó Súilleabháin", "Lăcătuș", "O'Sullivan", "Ng", "Çelik", "Nguyễn", "Dvořák", "Hǫskuldr", "Ŀl", "李"]
)
def test_the_fast_path_gives_pyucas_own_key(text, collator):
    assert collation_key(text) == collator.sort_key(text)
