"""The serialization interface (a stub for this fixture)."""
