"""Ingest: documents, their structure, chunks and the store schema."""
