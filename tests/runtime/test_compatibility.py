"""The runtime interface lands in code bases that still run Python 3.6: prove it runs there.

vermin checks the syntax and the standard library names the module uses against 3.6; the
tests then run a script under every old interpreter found on this machine (skipped where
there is none, as on most CI runners; vermin is the check that always runs).
"""

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import codemods.runtime.serialization

MODULE = Path(codemods.runtime.serialization.__file__)


def vermin(*arguments):
    """Run vermin (a test dependency) in a child process; return it, finished."""
    command = [sys.executable, "-c", "import sys, vermin; sys.exit(vermin.main())"]
    return subprocess.run(
        command + list(arguments),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )


def test_vermin_finds_nothing_newer_than_python_3_6():
    result = vermin("--target=3.6-", "--no-tips", "--violations", str(MODULE))

    assert result.returncode == 0, result.stdout


def test_vermin_as_called_here_does_catch_newer_code(tmp_path):
    newer = tmp_path / "newer.py"
    newer.write_text("if (n := 1):\n    print(f'{n=}')\n")

    result = vermin("--target=3.6-", "--no-tips", "--violations", str(newer))

    assert result.returncode != 0
    assert "3.8" in result.stdout


def old_interpreters():
    """Python 3.6 and 3.7 executables found on this machine."""
    found = {}
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for version in ("3.6", "3.7"):
        candidates = sorted(
            glob.glob(os.path.join(pyenv_root, "versions", version + ".*", "bin", "python"))
        )
        candidates.append(shutil.which("python" + version))
        for candidate in candidates:
            if candidate and _reports_version(candidate, version):
                found[version] = candidate
                break
    return found


def _reports_version(executable, version):
    try:
        result = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            universal_newlines=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == version


OLD_INTERPRETERS = old_interpreters()

# Runs under the old interpreter, with the module's directory on sys.path.
OLD_PYTHON_SCRIPT = textwrap.dedent("""
    import io
    import pickle

    from serialization import (
        JOB, JobPickler, JobSerializable, JobUnserializable, SerializationError,
        UnserializableError, clear, custom, job_state, on_restore)

    assert not JobPickler.use_reducer_override, "Python < 3.8 has no reducer_override"


    class Scheduler(JobUnserializable, reason="Scheduler objects should not be pickled."):
        pass


    @clear("__scheduler", scope=JOB)
    @clear("cache", factory=dict)
    @custom("pattern", list, tuple)
    class Element(JobSerializable):
        def __init__(self, scheduler):
            self.__scheduler = scheduler
            self.cache = {"hit": 1}
            self.pattern = (1, 2)

        @on_restore
        def _init(self):
            self.restored = True


    class SpecialElement(Element):
        pass


    class Holder(JobSerializable):
        def __init__(self, scheduler):
            self.__scheduler = scheduler


    class Plugin(JobSerializable):
        pass


    def make_plugin():
        plugin = Plugin()
        plugin.made_by_factory = True
        return plugin


    def job_dumps(obj, dispatch_table=None):
        file = io.BytesIO()
        pickler = JobPickler(file, pickle.HIGHEST_PROTOCOL)
        if dispatch_table is not None:
            pickler.dispatch_table = dispatch_table
        pickler.dump(obj)
        return file.getvalue()


    restored = pickle.loads(job_dumps([SpecialElement(None), Plugin()], {
        Plugin: lambda plugin: (make_plugin, (), job_state(plugin))}))
    assert type(restored[0]) is SpecialElement
    assert restored[0].__dict__ == {"cache": {}, "pattern": (1, 2), "restored": True}, \\
        restored[0].__dict__
    assert restored[1].made_by_factory

    regular = pickle.loads(pickle.dumps(SpecialElement("kept")))
    assert regular._Element__scheduler == "kept" and regular.pattern == (1, 2)

    try:
        job_dumps([Holder(Scheduler())])
    except TypeError as error:
        assert isinstance(error, UnserializableError)
        message = str(error)
    else:
        raise AssertionError("pickling a Scheduler succeeded")
    assert "root[0]._Holder__scheduler: a Scheduler" in message, message
    assert '@clear("__scheduler", scope=JOB) to class Holder' in message, message


    class Artist:
        def __init_subclass__(cls):  # does not call super()
            pass


    class Widget(Artist, Element):
        @on_restore
        def _widget(self):
            self.widget_restored = True


    class SlottedWidget(Widget):
        __slots__ = ("slot",)


    widget = SlottedWidget(None)
    widget.slot = 1
    for restored in [pickle.loads(job_dumps([widget]))[0], pickle.loads(pickle.dumps(widget))]:
        assert type(restored) is SlottedWidget, type(restored)
        assert restored.widget_restored and restored.restored, restored.__dict__
        assert not hasattr(restored, "slot")

    del widget.cache
    try:
        pickle.dumps(widget)
    except KeyError as error:
        assert isinstance(error, SerializationError)
        assert str(error).startswith("cannot pickle a SlottedWidget object"), str(error)
    else:
        raise AssertionError("pickling without a member succeeded")
    print("ok")
""")


@pytest.mark.parametrize("version", ["3.6", "3.7"])
def test_the_fallback_route_works_on_an_old_python(version):
    if version not in OLD_INTERPRETERS:
        pytest.skip("no Python {} on this machine".format(version))

    result = subprocess.run(
        [OLD_INTERPRETERS[version], "-c", OLD_PYTHON_SCRIPT],
        cwd=str(MODULE.parent),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "ok"
