cdef class Fast:
    cdef int value
    cpdef object get_state_for_child_job_pickling(self)
