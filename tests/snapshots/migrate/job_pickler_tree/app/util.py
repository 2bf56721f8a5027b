def helper():
    return "/tmp"
