"""A program that asked for spawn, which pickles every job it starts."""

import multiprocessing
import multiprocessing.context


class Job:
    def get_state_for_child_job_pickling(self):
        return self.__dict__.copy()

    def run(self):
        return 0


def start(job):
    process = multiprocessing.Process(target=job.run)
    process.start()
    return process


def use_spawn_everywhere():
    multiprocessing.context._default_context.set_start_method('spawn', force=True)


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    start(Job())
