cdef int __counter = 0


def next_id():
    global __counter
    __counter += 1
    return __counter


def save_counters():
    return __counter


def restore_counters(value):
    global __counter
    __counter = value
