def helper():
    return old_api()
