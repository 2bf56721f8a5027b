from dataclasses import dataclass

from serialization import JobSerializable, clear


@clear("watchers", factory=list, missing_ok=True)
class Box[T](JobSerializable):
    type Pair = tuple[T, T]

    def __init__(self, item: T) -> None:
        self.item = item
        self.watchers: list[object] = []

    def describe(self) -> str:
        match self.item:
            case int(n) if (half := n // 2) > 1:
                return f"{half=}"
            case _:
                return "other"


@dataclass
@clear("cache", missing_ok=True)
class Settings(JobSerializable):
    name: str
