from newlib import new_api

def helper():
    return new_api()
