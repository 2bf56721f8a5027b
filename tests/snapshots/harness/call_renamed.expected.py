import os
from newlib import new_api


def main():
    # the call keeps its comment and arguments
    return new_api(os.sep, flag=True)  # trailing comment stays
