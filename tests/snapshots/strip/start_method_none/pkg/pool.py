from concurrent.futures import ThreadPoolExecutor


def Pool(size):
    """Not multiprocessing's: threads."""
    return ThreadPoolExecutor(size)


def Process(item):
    return item
