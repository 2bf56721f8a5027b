from dataclasses import dataclass


class Box[T]:
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

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state["watchers"] = []
        return state


@dataclass
class Settings:
    name: str

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("cache", None)
        return state
