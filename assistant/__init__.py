"""Assistant: reads the store, answers with citations, and checks its own answers."""
