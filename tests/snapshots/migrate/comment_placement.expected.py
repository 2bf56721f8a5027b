from serialization import JobSerializable, clear


# called by pickle
# Drop what cannot cross a process.
# The socket is per process.
@clear("sock")
# Must exist by now.
@clear("cache", value=None)
# Done.
class Annotated(JobSerializable):
    pass
