"""A small build tool, used as a strip-after-migrate fixture."""
