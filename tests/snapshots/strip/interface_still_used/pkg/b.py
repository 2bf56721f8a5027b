from pkg.serialization import JobSerializable


class Plain(JobSerializable):
    pass
