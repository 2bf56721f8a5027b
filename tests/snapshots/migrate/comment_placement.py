class Annotated:
    def __getstate__(self):  # called by pickle
        """Drop what cannot cross a process."""
        state = self.__dict__.copy()
        # The socket is per process.
        del state["sock"]
        # Must exist by now.
        assert "cache" in state
        state["cache"] = None
        # Done.
        return state
