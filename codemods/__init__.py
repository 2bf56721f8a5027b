"""codemods: move a Python code base off hand-written pickling hooks."""

__version__ = "0.1.0"
