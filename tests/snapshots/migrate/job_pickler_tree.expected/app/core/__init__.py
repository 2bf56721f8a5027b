from .store import Store
from .tracker import Tracker, SubTracker
