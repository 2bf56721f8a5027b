cdef class Fast:
    cdef int value

    def __getstate__(self):
        return self.value

    def __setstate__(self, state):
        self.value = state

    cpdef object get_state_for_child_job_pickling(self):
        return self.value
