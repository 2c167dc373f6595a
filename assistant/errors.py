"""The assistant's errors: the ingest hierarchy, plus what answering can raise."""

from __future__ import annotations

from ingest.errors import BriefingError, DocumentError, ModelMismatchError, StoreError, StoreLockedError


class EmptyStoreError(BriefingError):
    """The store holds no documents yet."""


class LLMError(BriefingError):
    """The configured chat model failed or is not configured."""


class UnknownDocumentError(BriefingError):
    """A document filter names no stored document, or a short id that several documents begin with."""


class ModelError(BriefingError):
    """A configured model other than the chat model (the answer reranker) cannot serve as configured."""


__all__ = [
    "BriefingError", "DocumentError", "EmptyStoreError", "LLMError", "ModelError", "ModelMismatchError", "StoreError",
    "StoreLockedError", "UnknownDocumentError",
]
