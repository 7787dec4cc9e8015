"""Errors the services raise. Each message is one clear sentence for a user."""

from __future__ import annotations

from desktop.store import NotAStore, StoreClosed, StoreError, WrongPassphrase


class ServiceError(Exception):
    """Base for anything a user should be told, never a traceback."""


class ValidationError(ServiceError):
    """Input that breaks a rule; nothing was changed."""


class NotFound(ServiceError):
    """An id that names no record."""


USER_ERRORS = (ServiceError, StoreError, ValueError)

__all__ = [
    "USER_ERRORS",
    "NotAStore",
    "NotFound",
    "ServiceError",
    "StoreClosed",
    "StoreError",
    "ValidationError",
    "WrongPassphrase",
]
