# This module only mentions __getstate__ and dispatch_table in comments,
# and defines a predicate with a longer name.
def does_multiprocessing_start_require_pickling_soon():
    return False


def describe(table):
    return "dispatch_table" in table  # a string, not a pickler
