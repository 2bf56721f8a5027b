from serialization import JobSerializable, clear, on_restore


@clear("_compiled")
class Template(JobSerializable):
    def __init__(self, text):
        self.text = text
        self._compiled = None
        self._compile()

    # Compiled form is derived; rebuild it.
    @on_restore
    def _compile(self):
        self._compiled = self.text.split()
