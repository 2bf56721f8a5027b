class Job:
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        # Handles of the parent process.
        del state["pipe"]
        del state["lock"]
        del state["timer"]
        state.pop("trace", None)
        return state
