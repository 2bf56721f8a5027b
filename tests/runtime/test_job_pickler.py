"""JobPickler on both of its routes, job_state, and the errors of JobUnserializable."""

import collections
import copyreg
import enum
import io
import pickle

import pytest

from codemods.runtime import serialization
from codemods.runtime.serialization import (
    JOB,
    JobPickler,
    JobSerializable,
    JobUnserializable,
    UnserializableError,
    clear,
    explain_unserializable,
    job_state,
)


class FallbackJobPickler(JobPickler):
    """The route of Python 3.6 and 3.7, forced."""

    use_reducer_override = False


@pytest.fixture(params=[JobPickler, FallbackJobPickler], ids=["reducer_override", "fallback"])
def pickler_class(request):
    if request.param is JobPickler and not JobPickler.use_reducer_override:
        pytest.skip("this Python has no Pickler.reducer_override")
    return request.param


def job_dumps(pickler_class, obj, dispatch_table=None, protocol=None):
    file = io.BytesIO()
    pickler = pickler_class(file, protocol)
    if dispatch_table is not None:
        pickler.dispatch_table = dispatch_table
    pickler.dump(obj)
    return file.getvalue()


def job_round_trip(pickler_class, obj, **options):
    return pickle.loads(job_dumps(pickler_class, obj, **options))


# The classes pickled below live at module level, so that pickle finds them by name.


@clear("scheduler", scope=JOB)
@clear("cache", factory=dict)
class Node(JobSerializable):
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.scheduler = "scheduler of " + name
        self.cache = {"hit": 1}


class Leaf(Node):
    pass


class DeepLeaf(Leaf):
    """A subclass nobody registered anywhere."""


class Plugin(JobSerializable):
    """Rebuilt through its factory by an exact-type dispatch_table entry."""

    def __init__(self, name):
        self.name = name
        self.created_by = "constructor"


@clear("secret", scope=JOB)
class SecretPlugin(Plugin):
    def __init__(self, name):
        super().__init__(name)
        self.secret = "secret"


def make_plugin(name):
    plugin = Plugin.__new__(Plugin)
    plugin.made_by_factory = True
    return plugin


def reduce_plugin(plugin):
    return make_plugin, (plugin.name,), job_state(plugin)


class Color(enum.Enum):
    RED = 1


Point = collections.namedtuple("Point", "x y")


class Meta(type):
    pass


class WithMeta(metaclass=Meta):
    pass


class Reducing:
    """A plain class with its own __reduce__."""

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return Reducing, (self.value,)


# the generic rule ---------------------------------------------------------------------------


def test_every_subclass_is_pickled_with_its_job_state(pickler_class):
    root = Node("root")
    graph = [root, Leaf("leaf", root), DeepLeaf("deep", root)]

    restored = job_round_trip(pickler_class, graph)

    assert [type(node) for node in restored] == [Node, Leaf, DeepLeaf]
    for node in restored:
        assert set(node.__dict__) == {"name", "parent", "cache"}
        assert node.cache == {}
    assert restored[1].parent is restored[0] and restored[2].parent is restored[0]


class HandPickledLeaf(Node):
    """A subclass that kept a hand-written __getstate__ (migrate left it)."""

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["cache"]
        return state


class ReducedLeaf(Node):
    def __reduce__(self):
        return ReducedLeaf, (self.name,)


def _old_job_pickler_with_an_entry_for_node(obj):
    """The old job pickler: a reducer for the exact type Node only."""
    file = io.BytesIO()
    pickler = pickle.Pickler(file)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Node] = lambda node: (Node.__new__, (Node,), job_state(node))
    pickler.dump(obj)
    return pickle.loads(file.getvalue())


@pytest.mark.parametrize("leaf", [HandPickledLeaf("hand"), ReducedLeaf("reduced")],
                         ids=["getstate", "reduce"])
def test_a_subclass_that_decides_its_own_pickling_follows_the_usual_rules(pickler_class, leaf):
    restored = job_round_trip(pickler_class, leaf)
    old = _old_job_pickler_with_an_entry_for_node(leaf)

    assert type(restored) is type(old) is type(leaf)
    assert restored.__dict__ == old.__dict__
    assert "scheduler" in restored.__dict__  # not the generic rule's job state


def test_the_regular_pickle_of_the_same_graph_keeps_job_scope_members():
    restored = pickle.loads(pickle.dumps(DeepLeaf("deep")))

    assert restored.scheduler == "scheduler of deep"
    assert restored.cache == {}


def test_other_objects_follow_the_usual_rules(pickler_class):
    obj = {
        "enum": Color.RED,
        "namedtuple": Point(1, 2),
        "class": WithMeta,
        "metaclass instance": WithMeta(),
        "reducing": Reducing(3),
        "function": make_plugin,
        "builtin": len,
        "set": {1, 2},
        "nested": [(1, [2, {"a": b"b"}])],
    }

    restored = job_round_trip(pickler_class, obj)

    assert restored["enum"] is Color.RED
    assert restored["namedtuple"] == Point(1, 2)
    assert restored["class"] is WithMeta
    assert type(restored["metaclass instance"]) is WithMeta
    assert restored["reducing"].value == 3
    assert restored["function"] is make_plugin and restored["builtin"] is len
    assert restored["set"] == {1, 2} and restored["nested"] == [(1, [2, {"a": b"b"}])]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_protocol(pickler_class, protocol):
    restored = job_round_trip(pickler_class, [Leaf("leaf")], protocol=protocol)

    assert restored[0].__dict__ == {"name": "leaf", "parent": None, "cache": {}}


def test_job_state_is_what_the_job_pickler_pickles(pickler_class):
    leaf = Leaf("leaf")

    assert job_state(leaf) == {"name": "leaf", "parent": None, "cache": {}}
    assert job_round_trip(pickler_class, leaf).__dict__ == job_state(leaf)


# dispatch tables ------------------------------------------------------------------------------


def test_an_exact_type_entry_wins_over_the_generic_rule(pickler_class):
    table = copyreg.dispatch_table.copy()
    table[Plugin] = reduce_plugin

    restored = job_round_trip(pickler_class, [Plugin("p"), SecretPlugin("s")], dispatch_table=table)

    assert restored[0].made_by_factory  # through the entry for Plugin
    # SecretPlugin has no entry of its own: the generic rule, with its job state.
    assert type(restored[1]) is SecretPlugin
    assert restored[1].__dict__ == {"name": "s", "created_by": "constructor"}


def test_a_reducer_that_calls_job_state_honours_the_declarations(pickler_class):
    table = {SecretPlugin: reduce_plugin}

    restored = job_round_trip(pickler_class, SecretPlugin("s"), dispatch_table=table)

    assert restored.__dict__ == {
        "name": "s",
        "created_by": "constructor",
        "made_by_factory": True,
    }  # and no secret


def test_a_dispatch_table_declared_on_a_pickler_subclass_is_used(pickler_class):
    class PluginPickler(pickler_class):
        dispatch_table = {Plugin: reduce_plugin}

    assert job_round_trip(PluginPickler, Plugin("p")).made_by_factory


def test_copyreg_registrations_count_as_exact_type_entries(pickler_class):
    copyreg.pickle(Plugin, reduce_plugin)
    try:
        assert job_round_trip(pickler_class, Plugin("p")).made_by_factory
    finally:
        del copyreg.dispatch_table[Plugin]


def test_entries_for_other_types_still_apply(pickler_class):
    table = {Reducing: lambda obj: (Reducing, (obj.value * 10,))}

    assert job_round_trip(pickler_class, Reducing(1), dispatch_table=table).value == 10


def test_the_pickler_is_left_as_it_was_and_can_dump_again(pickler_class):
    file = io.BytesIO()
    pickler = pickler_class(file)
    table = {Plugin: reduce_plugin}
    pickler.dispatch_table = table

    pickler.dump(Plugin("a"))
    table[Reducing] = lambda obj: (Reducing, ("from the table",))
    pickler.dump(Reducing(0))

    assert pickler.dispatch_table is table
    assert "reducer_override" not in vars(pickler)
    file.seek(0)
    unpickler = pickle.Unpickler(file)  # one memo, as the pickler's
    assert unpickler.load().made_by_factory
    assert unpickler.load().value == "from the table"


def test_without_a_table_of_its_own_the_pickler_gets_none_back(pickler_class):
    pickler = pickler_class(io.BytesIO())

    pickler.dump(Node("n"))

    assert getattr(pickler, "dispatch_table", None) is None


def test_the_fallback_runs_from_the_dispatch_table_alone():
    seen = {}
    file = io.BytesIO()
    pickler = FallbackJobPickler(file)

    def probe(obj):
        seen["table"] = type(pickler.dispatch_table)
        seen["override"] = hasattr(pickler, "reducer_override")
        return Reducing, (obj.value,)

    pickler.dispatch_table = {Reducing: probe}
    pickler.dump([Reducing(1), DeepLeaf("deep")])

    assert seen == {"table": serialization._JobDispatchTable, "override": False}
    assert pickle.loads(file.getvalue())[1].__dict__ == {
        "name": "deep",
        "parent": None,
        "cache": {},
    }


def test_the_fallback_table_resolves_each_type_once():
    table = serialization._JobDispatchTable({}, pickle.HIGHEST_PROTOCOL)
    leaf = DeepLeaf("deep")

    reconstructor, arguments, state = table[DeepLeaf](leaf)
    assert type(reconstructor(*arguments)) is DeepLeaf and state == job_state(leaf)
    assert table[Reducing](Reducing(2)) == Reducing(2).__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    with pytest.raises(UnserializableError):
        table[RefusingNode](RefusingNode("n"))  # its own __reduce_ex__, which refuses
    assert set(table) == {DeepLeaf, Reducing, RefusingNode}
    with pytest.raises(KeyError):
        table[Meta]  # no entry, as without the table: the pickler saves the class by name
    assert table.get(Meta) is None and table.get(Leaf) is not None
    assert set(table) == {DeepLeaf, Reducing, RefusingNode, Leaf}


# JobUnserializable ------------------------------------------------------------------------


class Scheduler(JobUnserializable, reason="Scheduler objects should not be pickled."):
    pass


class Lock(JobUnserializable):
    pass


class Element(JobSerializable):
    def __init__(self, scheduler):
        self.__scheduler = scheduler
        self.handlers = [scheduler]
        self.name = "element"


class SpecialElement(Element):
    pass


@clear("_Element__scheduler", scope=JOB)  # "__scheduler" here would be _SafeElement__...
class SafeElement(Element):
    pass


@clear("_Element__scheduler", "handlers", scope=JOB)
class FixedElement(Element):
    pass


class Job:
    """A plain class: pickling reaches its __dict__ through the usual rules."""

    def __init__(self, scheduler):
        self._element = SpecialElement(scheduler)
        self.options = {"lock": Lock(), "retries": 3}
        self.steps = (1, scheduler)


class RefusingNode(Node, JobUnserializable, reason="no nodes of this kind"):
    pass


def refusal_message(pickler_class, root):
    with pytest.raises(UnserializableError) as raised:
        job_dumps(pickler_class, root)
    return str(raised.value)


def test_pickling_refuses_with_the_reason_and_a_type_error():
    with pytest.raises(TypeError) as raised:
        pickle.dumps(Scheduler())

    assert isinstance(raised.value, UnserializableError)
    assert "Scheduler objects should not be pickled." in str(raised.value)


def test_a_plain_pickle_says_what_it_can_and_how_to_learn_more():
    message = str(pytest.raises(UnserializableError, pickle.dumps, Job(Scheduler())).value)

    assert message.startswith("Scheduler objects should not be pickled.")
    assert "{}.Scheduler".format(__name__) in message
    assert "cannot tell which object holds it" in message
    assert "pickle with codemods.runtime.serialization.JobPickler" in message
    assert "codemods.runtime.serialization.explain_unserializable(root)" in message


def test_without_a_reason_the_message_names_the_class():
    message = str(pytest.raises(UnserializableError, pickle.dumps, Lock()).value)

    assert message.startswith("Lock objects must not be pickled.")


def test_the_reason_must_be_a_string():
    with pytest.raises(TypeError, match="reason"):

        class Bad(JobUnserializable, reason=42):
            pass


def test_copying_refuses_too():
    import copy

    with pytest.raises(UnserializableError):
        copy.copy(Scheduler())


def test_the_job_pickler_names_every_refusing_object_with_path_holders_and_fixes(pickler_class):
    message = refusal_message(pickler_class, Job(Scheduler()))

    assert message.startswith(
        "Pickling for a child job reached 2 objects that refuse to be pickled.\n"
        "Paths start at the pickled object, a Job, written `job`.\n"
    )
    # The lock, through a dict of a plain object.
    assert "job.options['lock']: a Lock ({}.Lock)".format(__name__) in message
    assert "Reason: Lock objects must not be pickled." in message
    assert "- by job.options" not in message  # one holder: no list
    assert "Held by job.options, a dict, as item ['lock']." in message
    assert (
        "Fix: make class Job ({}) inherit JobSerializable, then add "
        '@clear("options", scope=JOB) to it.'.format(__name__)
    ) in message
    # The scheduler: its shortest path, and each of the three places that hold it.
    assert (
        "job._element._Element__scheduler: a Scheduler ({}.Scheduler)".format(__name__) in message
    )
    assert "Reason: Scheduler objects should not be pickled." in message
    assert "Held in 3 places:" in message
    assert (
        "- by job._element, a SpecialElement, in attribute _Element__scheduler.\n"
        '     Fix: add @clear("__scheduler", scope=JOB) to class Element ({}).'.format(__name__)
    ) in message
    assert "- by job._element.handlers, a list, as item [0]." in message
    assert 'add @clear("handlers", scope=JOB) to class SpecialElement' in message
    assert "That leaves out all of job._element.handlers" in message
    assert "- by job.steps, a tuple, as item [1]." in message
    assert '@clear("steps", scope=JOB)' in message


def test_declaring_the_fix_makes_job_pickling_succeed(pickler_class):
    scheduler = Scheduler()
    with pytest.raises(UnserializableError):
        job_dumps(pickler_class, SafeElement(scheduler))  # still in `handlers`

    restored = job_round_trip(pickler_class, FixedElement(scheduler))

    assert restored.__dict__ == {"name": "element"}
    with pytest.raises(UnserializableError):
        pickle.dumps(FixedElement(scheduler))  # a regular pickle keeps JOB members


def test_the_pickled_object_itself_refusing(pickler_class):
    message = refusal_message(pickler_class, Scheduler())

    assert "1. scheduler: a Scheduler" in message
    assert "It is the pickled object itself: do not pickle it." in message


def test_a_builtin_root_is_written_root(pickler_class):
    message = refusal_message(pickler_class, [0, Lock()])

    assert "Paths start at the pickled object, a list, written `root`." in message
    assert "root[1]: a Lock" in message
    assert "Held by root, a list, as item [1]." in message
    assert "Fix: take it out of root before pickling it." in message


def test_a_class_both_serializable_and_unserializable_refuses(pickler_class):
    message = refusal_message(pickler_class, [RefusingNode("n")])
    assert "Reason: no nodes of this kind" in message
    with pytest.raises(UnserializableError, match="no nodes of this kind"):
        pickle.dumps(RefusingNode("n"))
    with pytest.raises(UnserializableError, match="no nodes of this kind"):
        job_state(RefusingNode("n"))


def test_explain_unserializable_follows_the_scope_it_is_given():
    element = SafeElement(Scheduler())

    regular = explain_unserializable(element)
    job = explain_unserializable(element, scope=JOB)

    assert regular.startswith("Pickling reached 1 object that refuses to be pickled.")
    assert "safe_element._Element__scheduler: a Scheduler" in regular
    assert '@clear("__scheduler") to class Element' in regular
    assert "Held in 2 places:" in regular
    # Job pickling leaves out _Element__scheduler: only the list still holds it.
    assert "safe_element.handlers[0]: a Scheduler" in job
    assert "Held by safe_element.handlers, a list, as item [0]." in job
    assert explain_unserializable(FixedElement(Scheduler()), scope=JOB) is None


def test_a_refusal_the_walk_cannot_find_keeps_the_plain_message(pickler_class):
    class Opaque(JobSerializable):
        pass

    def reduce_opaque(obj):
        pickle.dumps(Scheduler())  # raised while pickling, from a nested pickle

    table = {Opaque: reduce_opaque}
    with pytest.raises(UnserializableError) as raised:
        job_dumps(pickler_class, Opaque.__new__(Opaque), dispatch_table=table)

    assert "cannot tell which object holds it" in str(raised.value)


# A base whose __init_subclass__ does not call super() --------------------------------------
#
# Python hands the class keywords (reason=) to the first __init_subclass__ in the MRO alone.
# When that is a base's which does not pass them on, the reason is lost: the refusal still
# works, and its message says what happened and how to keep the reason.


class KeywordSwallowing:
    def __init_subclass__(cls, **kwargs):  # drops reason=
        pass


class SwallowedScheduler(KeywordSwallowing, JobUnserializable, reason="a lost reason"):
    pass


class KeptScheduler(JobUnserializable, KeywordSwallowing, reason="a kept reason"):
    pass


class BaseScheduler(JobUnserializable, reason="the reason of BaseScheduler"):
    pass


class SwallowingScheduler(BaseScheduler):
    def __init_subclass__(cls, **kwargs):
        pass


class DerivedScheduler(SwallowingScheduler, reason="a lost reason"):
    pass


class RefusingWidget(KeywordSwallowing, Node, JobUnserializable, reason="a lost reason"):
    pass


LOST = (
    "Python did not run JobUnserializable.__init_subclass__ for {cls}: {base}.__init_subclass__ "
    "({module}) ran instead and does not call super().__init_subclass__(**kwargs), so a "
    "reason= in the class statement of {cls} was lost; the reason shown is inherited or the "
    "default. To keep it, list JobUnserializable before that class among the bases, or make "
    "that method pass the keywords on."
)


@pytest.mark.parametrize(
    "cls, reason, base",
    [
        (SwallowedScheduler, "SwallowedScheduler objects must not be pickled.", KeywordSwallowing),
        (DerivedScheduler, "the reason of BaseScheduler", SwallowingScheduler),
        (RefusingWidget, "RefusingWidget objects must not be pickled.", KeywordSwallowing),
    ],
    ids=lambda value: getattr(value, "__name__", "-"),
)
def test_below_a_base_that_swallows_init_subclass_the_refusal_holds_and_says_why_its_reason_is_lost(
    pickler_class, cls, reason, base
):
    note = LOST.format(cls=cls.__name__, base=base.__name__, module=__name__)
    obj = cls.__new__(cls)

    with pytest.raises(TypeError) as raised:
        pickle.dumps(obj)
    assert isinstance(raised.value, UnserializableError)
    assert str(raised.value).startswith("{} (Note: {}) (Pickling reached".format(reason, note))

    message = refusal_message(pickler_class, [obj])
    assert "1. root[0]: {}".format(serialization._a(cls, qualified=True)) in message
    assert "   Reason: {}\n   Note: {}\n".format(reason, note) in message
    if isinstance(obj, JobSerializable):
        with pytest.raises(UnserializableError, match="Note: Python did not run"):
            job_state(obj)


def test_listed_before_such_a_base_job_unserializable_keeps_its_reason(pickler_class):
    message = refusal_message(pickler_class, KeptScheduler())

    assert "Reason: a kept reason\n" in message
    assert "Note:" not in message
    assert "Note:" not in str(pytest.raises(UnserializableError, pickle.dumps, Scheduler()).value)


def test_a_base_whose_init_subclass_takes_no_keywords_fails_the_class_statement():
    # Python's own error, which the runtime cannot prevent: list JobUnserializable first.
    class NoKeywords:
        def __init_subclass__(cls):
            pass

    with pytest.raises(TypeError, match="reason"):

        class Refused(NoKeywords, JobUnserializable, reason="r"):
            pass

    class Listed(JobUnserializable, NoKeywords, reason="r"):
        pass

    with pytest.raises(UnserializableError, match="^r "):
        pickle.dumps(Listed())
