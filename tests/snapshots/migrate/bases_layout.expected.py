from serialization import JobSerializable, clear


@clear("_handle")
class Legacy(JobSerializable):
    pass


@clear("_handle")
class OnePerLine(
    dict,  # a mapping too
    Exception,  # and an error
    JobSerializable,
):
    pass
