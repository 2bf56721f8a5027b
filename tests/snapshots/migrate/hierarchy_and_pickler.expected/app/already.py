from .serialization import on_restore, JobSerializable


class Done(JobSerializable):
    @on_restore
    def _init(self):
        self.ready = True
