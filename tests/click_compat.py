"""``CliRunner`` as click 8.2 has it, on click 8.1 too (the last click for
Python 3.9, which the project supports).

Two differences matter to the tests:

- 8.1 mixes what the command writes to stderr into ``result.output`` unless told
  ``mix_stderr=False``, and only then has ``result.stderr``; 8.2 always keeps
  both, and ``result.output`` holds both (interleaved).
- 8.1's simulated terminal answers an empty line at the end of the input, so a
  prompt that needs an answer asks again forever; 8.2 raises ``EOFError``, as a
  real terminal's end of input does (and ``click.prompt`` turns it into Abort).

On click 8.2 and later this is click's own ``CliRunner``.
"""

from __future__ import annotations

import contextlib
import inspect
import sys

import click.termui
from click.testing import CliRunner as _ClickRunner

MIXES_STDERR = "mix_stderr" in inspect.signature(_ClickRunner.__init__).parameters


def _visible_input(prompt=None) -> str:
    """click 8.2's simulated prompt input: EOFError at the end of the input."""
    sys.stdout.write(prompt or "")
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    value = line.rstrip("\r\n")
    sys.stdout.write(f"{value}\n")
    sys.stdout.flush()
    return value


class _Result:
    """A click 8.1 result (stdout and stderr apart) whose ``output`` holds both."""

    def __init__(self, result) -> None:
        self._result = result

    @property
    def output(self) -> str:
        return self._result.stdout + self._result.stderr

    def __getattr__(self, name):
        return getattr(self._result, name)


if MIXES_STDERR:

    class CliRunner(_ClickRunner):
        def __init__(self, **kwargs) -> None:
            kwargs.setdefault("mix_stderr", False)
            super().__init__(**kwargs)

        @contextlib.contextmanager
        def isolation(self, *args, **kwargs):
            with super().isolation(*args, **kwargs) as streams:
                before = click.termui.visible_prompt_func
                click.termui.visible_prompt_func = _visible_input
                try:
                    yield streams
                finally:
                    click.termui.visible_prompt_func = before

        def invoke(self, *args, **kwargs):
            return _Result(super().invoke(*args, **kwargs))

else:
    CliRunner = _ClickRunner
