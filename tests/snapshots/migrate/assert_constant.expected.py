from serialization import JobSerializable, clear


# Callbacks point back into the parent process.
@clear("on_done", value=None)
@clear("retries", value=0)
# set whether or not it was there
@clear("label", value="restored", missing_ok=True)
@clear("verbose", value=False, missing_ok=True)
class Worker(JobSerializable):
    def __init__(self):
        self.on_done = None
        self.retries = 3
        self.label = "idle"
        self.verbose = False
