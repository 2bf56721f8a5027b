"""A package whose job pickler is found by its shape."""
