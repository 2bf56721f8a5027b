import multiprocessing


class Job:
    def __init__(self, platform, factories):
        self._platform = platform
        self._factories = factories

    def start(self, pipe):
        process = multiprocessing.Process(target=self.run, args=[pipe])
        process.start()
        return process

    def run(self, pipe):
        pipe.send("done")
