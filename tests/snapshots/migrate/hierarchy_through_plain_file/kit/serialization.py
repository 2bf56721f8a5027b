"""Stand-in for the runtime interface, which says it was added to your code base by the ``codemods`` toolkit; cases do not copy it."""
