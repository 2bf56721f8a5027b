import os


def main():
    # the call keeps its comment and arguments
    return old_api(os.sep, flag=True)  # trailing comment stays
