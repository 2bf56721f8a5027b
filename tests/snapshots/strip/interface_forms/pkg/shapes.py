import dataclasses
import re

import pkg.serialization as ser
from . import serialization


class Meta(type):
    pass


class Base:
    pass


@dataclasses.dataclass
# The pattern travels as text.
@serialization.custom("pattern", serialize=lambda p: p.pattern, deserialize=re.compile)
@ser.clear("_compiled", value=None)
class Shape(Base, ser.JobSerializable, metaclass=Meta):
    pattern: re.Pattern

    @serialization.on_restore
    def reset(self):
        self._compiled = None

    def again(self):
        return self.reset()


@ser.clear("x")
class Point(
    ser.JobSerializable,
):
    x: int = 0
