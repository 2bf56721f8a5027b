"""Writers: a policy turned into declarations, removals and imports."""
