"""Stand-in for the runtime interface, so that cases do not copy it."""
