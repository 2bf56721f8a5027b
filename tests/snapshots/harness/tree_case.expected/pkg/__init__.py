from .mod import helper
