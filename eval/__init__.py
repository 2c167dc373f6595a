"""Evaluation: measures the assistant, or any other system's answers, from the outside."""
