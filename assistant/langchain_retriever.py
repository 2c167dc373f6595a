"""The hybrid retriever as a LangChain ``BaseRetriever``, for use in any LangChain chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.injection import quarantine
from assistant.retrieval import Filters, Retriever


class BriefingRetriever(BaseRetriever):
    """Wraps any of our retrievers; each Document carries the chunk's citation metadata.

    A chain hands these Documents to a chat model, so, as for the assistant's own LLM answers, sentences that
    address an AI assistant are replaced by a visible placeholder in ``page_content``
    (``metadata["instructions_removed"]`` counts them); ``start`` and ``end`` still locate the stored chunk.

        retriever = BriefingRetriever(retriever=build().assistant.retriever, k=6)
        docs = retriever.invoke("Who controls the implementation?")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 6
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        inner: Retriever = self.retriever
        documents = []
        for chunk in inner.retrieve(query, self.k, self.filters):
            text, removed = quarantine(chunk.text)
            documents.append(Document(
                page_content=text,
                id=chunk.id,
                metadata={
                    "doc_id": chunk.doc_id, "chunk_id": chunk.id, "title": chunk.title, "source": chunk.source,
                    "date": chunk.date, "section": chunk.section, "page": chunk.page, "start": chunk.start,
                    "end": chunk.end, "origin": chunk.origin_of(chunk.text), "score": chunk.score,
                    "instructions_removed": removed,
                },
            ))
        return documents
