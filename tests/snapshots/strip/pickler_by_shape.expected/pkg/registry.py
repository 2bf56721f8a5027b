_NAMES = []


def names():
    return list(_NAMES)
