"""The central promise: declarations restore the same __dict__ as the old hand-written hooks.

Hypothesis draws a class: for each member, what the old ``__getstate__`` (scope ALWAYS) and
the old ``get_state_for_child_job_pickling`` (scope JOB) did to it, whether the object has
it, and whether ``__setstate__`` ended with ``self._init()``; whether the class derives from
JobSerializable directly or through a base whose ``__init_subclass__`` does not call
``super()`` (as matplotlib's Artist); and whether the pickled object is of the class itself,
of a plain subclass or of a subclass that adds ``__slots__`` (as sqlalchemy's do). From that
draw, the test writes the old class as source, the way people wrote it, and builds the new
class from declarations. Both are pickled regularly and for a child job -- the old through a
pickler with the old per-class dispatch_table reducer, the new through JobPickler on each of
its routes -- and must restore an object of the pickled type with the same __dict__ and
slot, or both fail.

A subclass with ``__slots__`` is drawn only under an old class with a ``__getstate__``.
Without one, the old class was pickled by Python's default rules, which pickle the slots
(protocol 2 and up) or refuse (0 and 1); the migrated class has the ``__getstate__`` of
JobSerializable, which pickles ``__dict__`` alone, as every old ``__getstate__`` did.
"""

import copyreg
import io
import itertools
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemods.runtime.serialization import (
    ALWAYS,
    JOB,
    JobPickler,
    JobSerializable,
    SerializationError,
    clear,
    custom,
    job_state,
    on_restore,
)


class FallbackJobPickler(JobPickler):
    use_reducer_override = False


PICKLERS = [FallbackJobPickler]
if JobPickler.use_reducer_override:
    PICKLERS.insert(0, JobPickler)

# What an old state builder did to a member, and the declaration the migration writes for it.
EDITS = ["del", "pop", "assert then constant", "constant", "assert then factory", "factory"]
FACTORY_LITERALS = {dict: "{}", list: "[]", set: "set()"}


def serialize(value):
    return ("serialized", value)


def deserialize(data):
    assert data[0] == "serialized", data
    return data[1]


def count_restore(self):
    self.restored = self.__dict__.get("restored", 0) + 1


@st.composite
def member_specs(draw):
    always = draw(st.sampled_from([None, "custom"] + EDITS))
    # The old __setstate__ could not tell a job state from a regular one, so a member it
    # deserializes had no job-state edit.
    job = None if always == "custom" else draw(st.sampled_from([None] + EDITS))
    return {
        "always": always,
        "job": job,
        "present": draw(st.booleans()),
        "value": draw(st.integers() | st.text(max_size=3) | st.lists(st.integers(), max_size=2)),
        "constant": draw(st.sampled_from([None, 0, "cleared", ()])),
        "factory": draw(st.sampled_from(sorted(FACTORY_LITERALS, key=repr))),
    }


def has_getstate(spec):
    """Whether the old class of ``spec`` has a ``__getstate__``."""
    return any(member["always"] for member in spec["members"].values())


def _slots_only_under_getstate(spec):
    if spec["subclass"] == "slots" and not has_getstate(spec):
        return dict(spec, subclass="plain")  # See the module docstring.
    return spec


class_specs = st.fixed_dictionaries(
    {
        "members": st.dictionaries(
            st.sampled_from(["a", "_b", "cache", "listener", "x_y"]), member_specs(), max_size=5
        ),
        "restore_hook": st.booleans(),
        # Through which base the class derives from JobSerializable.
        "base": st.sampled_from(["JobSerializable", "swallowing mixin", "swallowing subclass"]),
        # The class of the pickled object: the class itself, or a subclass of it.
        "subclass": st.sampled_from([None, "plain", "slots"]),
    }
).map(_slots_only_under_getstate)


class SwallowingMixin:
    """As matplotlib's Artist: an __init_subclass__ that does not call super()."""

    def __init_subclass__(cls, **kwargs):
        pass


class SwallowingSerializable(JobSerializable):
    def __init_subclass__(cls, **kwargs):
        pass


# The bases of the old class and of the new one, for each spec["base"].
OLD_BASES = {
    "JobSerializable": "",
    "swallowing mixin": "(SwallowingMixin)",
    "swallowing subclass": "(SwallowingMixin)",
}
NEW_BASES = {
    "JobSerializable": (JobSerializable,),
    "swallowing mixin": (SwallowingMixin, JobSerializable),
    "swallowing subclass": (SwallowingSerializable,),
}
SUBCLASS_BODIES = {"plain": {}, "slots": {"__slots__": ("slot",)}}


def old_statements(member, edit, spec):
    """The lines of an old state builder that carry out ``edit`` on ``member``."""
    key = repr(member)
    if edit == "del":
        return ["del state[{}]".format(key)]
    if edit == "pop":
        return ["state.pop({}, None)".format(key)]
    if edit == "custom":
        return ["if {} in state:".format(key), "    state[{0}] = serialize(state[{0}])".format(key)]
    check = ["assert {} in state".format(key)] if edit.startswith("assert") else []
    if edit.endswith("constant"):
        return check + ["state[{}] = {!r}".format(key, spec["constant"])]
    return check + ["state[{}] = {}".format(key, FACTORY_LITERALS[spec["factory"]])]


def old_class_source(name, spec):
    members = spec["members"]
    always = [(m, s["always"], s) for m, s in members.items() if s["always"]]
    job = [(m, s["job"], s) for m, s in members.items() if s["job"]]
    customs = [m for m, s in members.items() if s["always"] == "custom"]
    lines = ["class {}{}:".format(name, OLD_BASES[spec.get("base", "JobSerializable")]), "    pass"]
    if always:
        lines += ["    def __getstate__(self):", "        state = self.__dict__.copy()"]
        for member, edit, member_spec in always:
            lines += ["        " + line for line in old_statements(member, edit, member_spec)]
        lines += ["        return state"]
    if job:
        start = "self.__getstate__()" if always else "self.__dict__.copy()"
        lines += ["    def get_state_for_child_job_pickling(self):", "        state = " + start]
        for member, edit, member_spec in job:
            lines += ["        " + line for line in old_statements(member, edit, member_spec)]
        lines += ["        return state"]
    if customs or spec["restore_hook"]:
        lines += ["    def __setstate__(self, state):"]
        for member in customs:
            lines += [
                "        if {!r} in state:".format(member),
                "            state[{0!r}] = deserialize(state[{0!r}])".format(member),
            ]
        lines += ["        self.__dict__.update(state)"]
        if spec["restore_hook"]:
            lines += ["        self._init()"]
    if spec["restore_hook"]:
        lines += ["    _init = count_restore"]
    if spec.get("subclass"):
        body = SUBCLASS_BODIES[spec["subclass"]]
        lines += ["class {}Sub({}):".format(name, name)]
        lines += ["    {} = {!r}".format(*item) for item in body.items()] or ["    pass"]
    return "\n".join(lines) + "\n"


def declaration(member, edit, spec, scope):
    """The decorator the migration writes for ``edit`` on ``member``."""
    if edit == "custom":
        return custom(member, serialize, deserialize, scope=scope)
    missing_ok = edit in ("pop", "constant", "factory")
    if edit.endswith("constant"):
        return clear(member, scope=scope, value=spec["constant"], missing_ok=missing_ok)
    if edit.endswith("factory"):
        return clear(member, scope=scope, factory=spec["factory"], missing_ok=missing_ok)
    return clear(member, scope=scope, missing_ok=missing_ok)


_names = itertools.count()


def define_classes(spec):
    """The old and the new class of the objects ``spec`` pickles (each a subclass if it
    says so), at module level so that pickle finds them."""
    number = next(_names)
    old_name, new_name = "Old{}".format(number), "New{}".format(number)
    exec(old_class_source(old_name, spec), globals())
    namespace = {"__module__": __name__, "__qualname__": new_name}
    if spec["restore_hook"]:
        namespace["_init"] = on_restore(count_restore)
    new_class = type(new_name, NEW_BASES[spec["base"]], namespace)
    for member, member_spec in spec["members"].items():
        for scope in (ALWAYS, JOB):
            edit = member_spec["always" if scope is ALWAYS else "job"]
            if edit:
                new_class = declaration(member, edit, member_spec, scope)(new_class)
    globals()[new_name] = new_class
    if spec["subclass"]:
        old_name, new_name = old_name + "Sub", new_name + "Sub"
        namespace = {"__module__": __name__, "__qualname__": new_name}
        namespace.update(SUBCLASS_BODIES[spec["subclass"]])
        globals()[new_name] = type(new_name, (new_class,), namespace)
    return globals()[old_name], globals()[new_name]


def instance(cls, spec):
    obj = cls.__new__(cls)
    obj.payload = "payload"  # never touched; an empty __dict__ would skip __setstate__
    for member, member_spec in spec["members"].items():
        if member_spec["present"]:
            setattr(obj, member, member_spec["value"])
    if spec["subclass"] == "slots":
        obj.slot = "slot value"
    return obj


def _reduce_object(obj):
    """The old job pickler's reducer, registered once per class."""
    cls = type(obj)
    return cls.__new__, (cls,), obj.get_state_for_child_job_pickling()


def old_job_dumps(obj, protocol):
    file = io.BytesIO()
    pickler = pickle.Pickler(file, protocol)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    if hasattr(obj, "get_state_for_child_job_pickling"):
        pickler.dispatch_table[type(obj)] = _reduce_object
    pickler.dump(obj)
    return file.getvalue()


def new_job_dumps(pickler_class, obj, protocol):
    file = io.BytesIO()
    pickler_class(file, protocol).dump(obj)
    return file.getvalue()


def restored(obj, dumps, errors):
    """What ``loads(dumps(obj))`` restores: whether it is of the type of ``obj``, its
    __dict__ and its slot; or "failed" if pickling raised one of ``errors`` (the old hooks
    failed with KeyError or AssertionError where the new declarations raise
    SerializationError, which is a KeyError)."""
    try:
        data = dumps(obj)
    except errors:
        return "failed"
    copied = pickle.loads(data)
    return type(copied) is type(obj), copied.__dict__, getattr(copied, "slot", "<unset>")


OLD_ERRORS = (KeyError, AssertionError)
NEW_ERRORS = KeyError  # SerializationError, caught as an old `except KeyError` would


@pytest.mark.parametrize("pickler_class", PICKLERS)
@settings(max_examples=300, deadline=None)
@given(spec=class_specs, protocol=st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_declarations_restore_what_the_old_hooks_restored(pickler_class, spec, protocol):
    old_class, new_class = define_classes(spec)
    old, new = instance(old_class, spec), instance(new_class, spec)

    def regular_dumps(obj):
        return pickle.dumps(obj, protocol)

    old_regular = restored(old, regular_dumps, OLD_ERRORS)
    assert old_regular == "failed" or old_regular[0]
    assert restored(new, regular_dumps, NEW_ERRORS) == old_regular

    old_job = restored(old, lambda obj: old_job_dumps(obj, protocol), OLD_ERRORS)
    assert old_job == "failed" or old_job[0]
    new_job = restored(new, lambda obj: new_job_dumps(pickler_class, obj, protocol), NEW_ERRORS)
    assert new_job == old_job


@settings(max_examples=200, deadline=None)
@given(spec=class_specs)
def test_job_state_is_the_old_job_state(spec):
    old_class, new_class = define_classes(spec)
    old, new = instance(old_class, spec), instance(new_class, spec)
    old_method = getattr(old, "get_state_for_child_job_pickling", None)
    if old_method is None:
        old_method = getattr(old, "__getstate__", lambda: dict(old.__dict__))

    try:
        expected = old_method()
    except OLD_ERRORS:
        with pytest.raises(SerializationError):
            job_state(new)
    else:
        assert job_state(new) == expected


def test_the_generated_old_source_reads_like_hand_written_hooks():
    spec = {
        "members": {
            "a": {
                "always": "del",
                "job": None,
                "present": True,
                "value": 1,
                "constant": None,
                "factory": dict,
            },
            "cache": {
                "always": "assert then factory",
                "job": "constant",
                "present": True,
                "value": 2,
                "constant": None,
                "factory": dict,
            },
        },
        "restore_hook": True,
    }

    assert (
        old_class_source("Old", spec)
        == """class Old:
    pass
    def __getstate__(self):
        state = self.__dict__.copy()
        del state['a']
        assert 'cache' in state
        state['cache'] = {}
        return state
    def get_state_for_child_job_pickling(self):
        state = self.__getstate__()
        state['cache'] = None
        return state
    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init()
    _init = count_restore
"""
    )


def test_the_generated_old_source_has_the_drawn_base_and_subclass():
    member = {"always": "del", "job": None, "present": True, "value": 1}
    spec = {
        "members": {"a": dict(member, constant=None, factory=dict)},
        "restore_hook": False,
        "base": "swallowing subclass",
        "subclass": "slots",
    }

    assert (
        old_class_source("Old", spec)
        == """class Old(SwallowingMixin):
    pass
    def __getstate__(self):
        state = self.__dict__.copy()
        del state['a']
        return state
class OldSub(Old):
    __slots__ = ('slot',)
"""
    )


def test_a_subclass_with_slots_is_drawn_only_under_an_old_getstate():
    member = {"always": None, "job": "del", "present": True, "value": 1}
    spec = {"members": {"a": member}, "restore_hook": True, "base": "JobSerializable"}

    assert _slots_only_under_getstate(dict(spec, subclass="slots"))["subclass"] == "plain"
    member = dict(member, always="pop")
    spec = dict(spec, members={"a": member}, subclass="slots")
    assert _slots_only_under_getstate(spec)["subclass"] == "slots"
