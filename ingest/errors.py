"""Errors raised while reading documents or writing the store."""

from __future__ import annotations


class BriefingError(Exception):
    """Base of every error the user should see as one clear line, never a traceback."""


class UnsupportedFileError(BriefingError):
    """The file type has no loader; the file is skipped, not failed."""


class DocumentError(BriefingError):
    """A file could not be read or parsed."""


class StoreError(BriefingError):
    """The vector store is unreachable, inconsistent or locked."""


class ModelMismatchError(StoreError):
    """The store was built with another embedding model than the one configured."""


class StoreLockedError(StoreError):
    """Another process is writing to the same store."""
