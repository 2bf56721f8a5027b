class Loader:
    def get_state_for_child_job_pickling(self):
        return {"name": self.name}


def debug_dump(loader):
    print(loader.get_state_for_child_job_pickling())
    return loader.__getstate__()
