class Platform:
    def does_multiprocessing_start_require_pickling(self):
        return True

    def name(self):
        return "here"
