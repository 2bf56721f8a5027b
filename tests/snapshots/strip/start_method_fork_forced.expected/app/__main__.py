import multiprocessing

from .worker import Worker


def main():
    # Jobs are no longer pickled: children must be forked.
    multiprocessing.set_start_method("fork", force=True)
    Worker().start()


if __name__ == "__main__":
    main()
