"""Waymark desktop: the offline-first app for teachers of children out of school."""

__version__ = "0.1.0"
