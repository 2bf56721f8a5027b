callback = old_api
