class Buffer:
    def __init__(self):
        self.data = b''
        self.handle = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state['handle'] = None
        return state
