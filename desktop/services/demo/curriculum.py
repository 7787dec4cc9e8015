"""What the demo teaches: work packs, the levels progress is recorded in, the topics a
session covers by key stage, and what a teacher notes of a child's needs and gaps."""

from __future__ import annotations

from desktop.domain.records import WorkPack

PACKS = [
    ("Number bonds to 20", "Maths", "KS1", "1-2", "Number", ["Adding to 10", "Adding to 20", "Missing numbers"]),
    (
        "Times tables 2, 5 and 10",
        "Maths",
        "KS1",
        "2-3",
        "Multiplication",
        ["Counting in 2s", "Counting in 5s", "Tables test"],
    ),
    ("Fractions of shapes", "Maths", "KS2", "3-4", "Fractions", ["Halves and quarters", "Thirds", "Fraction wall"]),
    ("Long multiplication", "Maths", "KS2", "5-6", "Calculation", ["Grid method", "Column method", "Word problems"]),
    ("Phonics phase 3", "English", "KS1", "1", "Phonics", ["Digraphs ch, sh, th", "Trigraphs", "Tricky words"]),
    ("Writing a recount", "English", "KS2", "3-4", "Writing", ["My journey", "Paragraphs", "Checking my work"]),
    (
        "Reading journal: the fairground",
        "English",
        "KS2",
        "4-6",
        "Reading",
        ["Chapter questions", "New words", "Book review"],
    ),
    ("Persuasive writing", "English", "KS3", "7-8", "Writing", ["Features", "Plan", "Final piece"]),
    ("Plants and growing", "Science", "KS1", "2", "Biology", ["Parts of a plant", "Growing beans diary"]),
    ("Forces and magnets", "Science", "KS2", "3", "Physics", ["Push and pull", "Magnet test", "Results table"]),
    ("Algebra basics", "Maths", "KS3", "7-8", "Algebra", ["Expressions", "Simplifying", "Equations"]),
]

SUBJECT_LEVELS = {
    "English": ["Working towards", "Developing", "Secure", "Greater depth"],
    "Maths": ["Working towards", "Developing", "Secure", "Greater depth"],
    "Science": ["Working towards", "Developing", "Secure"],
}

# What a session covers, by subject and key stage: a Year 2 child and a Year 7
# sibling on the same visit do their own work.
TOPICS = {
    ("English", "KS1"): ["phonics phase 3: ai, ee, igh", "reading aloud from a picture book", "letter formation"],
    ("English", "KS2"): [
        "writing a recount of the journey",
        "spelling patterns: -tion, -sion",
        "reading comprehension",
    ],
    ("English", "KS3"): ["persuasive writing: planning", "poetry: similes and metaphors", "essay paragraphs (PEE)"],
    ("Maths", "KS1"): ["number bonds to 20", "counting in 2s, 5s and 10s", "o'clock and half past"],
    ("Maths", "KS2"): ["column addition to 1,000", "fractions of amounts", "times tables: 3, 4 and 8"],
    ("Maths", "KS3"): ["simplifying expressions", "ratio and proportion", "negative numbers"],
    ("Science", "KS1"): ["parts of a plant", "materials: waterproof or not", "our five senses"],
    ("Science", "KS2"): ["forces and magnets", "the water cycle", "circuits and switches"],
    ("Science", "KS3"): ["cells and microscopes", "acids and alkalis", "energy transfers"],
    ("Reading", "KS1"): ["reading book: sounding out", "sharing a story"],
    ("Reading", "KS2"): ["reading journal: chapter questions", "new words from the book"],
    ("Reading", "KS3"): ["class novel: character study", "reading for information"],
}

NEEDS = {
    "KS1": ["Reading more fluently.", "Needs practice blending sounds.", "Counting on confidently.", ""],
    "KS2": ["Needs practice with times tables.", "Writing in paragraphs now.", "Reading with expression.", ""],
    "KS3": ["Needs help structuring longer answers.", "Confident with algebra.", "Spelling still holds her back.", ""],
}

GAPS = {
    "English": "Letter formation; reading stamina",
    "Maths": "Place value beyond 100; times tables",
    "Science": "Recording results in a table",
}


def key_stage(nc_year: int) -> str:
    return "KS1" if nc_year <= 2 else "KS2" if nc_year <= 6 else "KS3"


def packs_for(packs: list[WorkPack], nc_year: int) -> list[WorkPack]:
    """Packs written for the child's year, or else the two nearest to it."""

    def years(pack: WorkPack) -> tuple[int, int]:
        low, _, high = pack.nc_years.partition("-")
        return int(low), int(high or low)

    fitting = [p for p in packs if years(p)[0] <= nc_year <= years(p)[1]]
    return fitting or sorted(packs, key=lambda p: abs(years(p)[0] - nc_year))[:2]
