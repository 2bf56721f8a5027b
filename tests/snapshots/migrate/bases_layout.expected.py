from serialization import JobSerializable, clear


@clear("_handle")
class Legacy(JobSerializable):
    pass


class Mixin:
    pass


@clear("_handle")
class OnePerLine(
    dict,  # a mapping too
    Mixin,  # and a mixin
    JobSerializable,
):
    pass
