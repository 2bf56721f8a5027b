"""Runtime support that migrated code imports (copied verbatim into target trees)."""
