"""Benchmarks that print numbers; run them by hand (see the README's performance table)."""
