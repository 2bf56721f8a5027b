"""A stub of the serialization interface, as if added to your code base by the ``codemods`` toolkit."""
