import collections.abc
import typing
from typing import Generic, TypeVar

from thirdparty.widgets import Widget

from .factory import make_base
from .serialization import JobSerializable, clear

T = TypeVar("T")
Alias = dict


def _drop_handle(self):
    state = self.__dict__.copy()
    del state["handle"]
    return state


class FromLibrary(Widget):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state


class FromCall(make_base()):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state


class FromAlias(Alias):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state


class FromError(ValueError):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state


class Reducing:
    def __reduce__(self):
        return (Reducing, ())


class BelowReducing(Reducing):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state


@clear("handle")
class Box(Generic[T], JobSerializable):
    pass


@clear("handle")
class Table(collections.abc.MutableMapping, typing.Sized, JobSerializable):
    def __getitem__(self, key):
        return self.rows[key]

    def __setitem__(self, key, value):
        self.rows[key] = value

    def __delitem__(self, key):
        del self.rows[key]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)
