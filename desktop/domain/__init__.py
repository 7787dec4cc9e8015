"""Records, vocabularies and rules of the field. Pure Python: no Qt, no SQL,
nothing else of the project."""
