class Plain:
    def __init__(self):
        self.value = 1


def __getstate__():
    return {}
