# snapshot-settings: {"job_methods": ["state_for_worker"], "pickling_predicates": ["spawns"]}
class Task:
    def state_for_worker(self):
        return self.__dict__

    def get_state_for_child_job_pickling(self):
        return "not a job method under these settings"

    def start(self, pool):
        if pool.spawns():
            pool.send(self)
        else:
            pool.fork(self)
