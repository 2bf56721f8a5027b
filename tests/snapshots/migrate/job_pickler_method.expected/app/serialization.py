"""Declarative pickling, for objects that are pickled to start child jobs.

This file was added to your code base by the ``codemods`` toolkit (``python -m codemods
migrate``). It replaces hand-written pickling hooks -- ``__getstate__``, ``__setstate__``, a
``get_state_for_child_job_pickling()`` method and a job pickler with one ``dispatch_table``
entry per class -- by declarations written once, on the class. It needs nothing but the
standard library and runs on Python 3.6 and newer.

Example::

    import re

    from .serialization import JOB, JobSerializable, clear, custom, on_restore

    @clear("_listeners", factory=list)      # every pickle holds a fresh empty list
    @clear("__scheduler", scope=JOB)        # child jobs get no scheduler
    @custom("_pattern", serialize=lambda p: p.pattern, deserialize=re.compile)
    class Element(JobSerializable):
        @on_restore
        def _init(self):                    # runs after every unpickling
            self._cache = {}

Declarations
------------
``@clear(*names, scope=ALWAYS, value=<not given>, factory=None, missing_ok=False)``
    The members are not pickled. Without ``value`` and ``factory`` they are left out of the
    state, so they are absent after unpickling; with ``value=v`` the state holds ``v``; with
    ``factory=dict`` it holds a fresh ``dict()``, made at each pickling. A member absent
    when the object is pickled raises ``SerializationError``, naming class and member,
    unless ``missing_ok=True``: this catches a rename that missed the declaration.
    ``SerializationError`` is a ``KeyError``, as the ``del state["x"]`` it replaces raised,
    so an old ``except KeyError`` still catches it.
``@custom(name, serialize, deserialize, scope=ALWAYS)``
    The member is pickled as ``serialize(value)`` and restored as ``deserialize(data)``.
    A member absent when pickling stays absent.
``@on_restore``
    Method decorator: the method runs, without arguments, once the state is restored, after
    any unpickling (and after ``copy.copy``). The methods of the bases run first; each runs
    once, and a method that a subclass overrides runs once, in its overriding version (as a
    ``self._init()`` call at the end of an old ``__setstate__`` did).

A member written ``__x`` is mangled against the decorated class, as Python does in the
class body: ``@clear("__scheduler")`` on ``Element`` declares ``_Element__scheduler``.
Declarations are inherited; a subclass may add members or declare one again, and for each
member and scope the most derived declaration wins. The runtime reads the declarations and
the ``@on_restore`` methods of a class from its MRO when it first pickles or restores an
instance of that class, and keeps what it read; a decorator applied to a class later takes
effect for it and its subclasses at once. It does not rely on ``__init_subclass__``, so a
base that overrides ``__init_subclass__`` without calling ``super()`` (as matplotlib's
``Artist`` does) changes nothing. The class decorators accept only ``JobSerializable``
classes.

The state of an object is its ``__dict__``, as the old hooks' ``self.__dict__.copy()`` made
it: a class that adds ``__slots__`` (say, a subclass with ``__slots__ = ("x",)``) is defined
as usual, but the values of its slots are not pickled, and are unset after unpickling. An
object without ``__dict__`` at all, whose class and bases all declare ``__slots__`` without
``"__dict__"``, cannot be pickled: pickling it raises ``AttributeError``, saying so.

Scopes and the job state
------------------------
``ALWAYS`` declarations apply to every pickle (``pickle.dumps``, ``copy``,
``multiprocessing``, child jobs). ``JOB`` declarations apply only when pickling for a child
job, that is through ``JobPickler`` or ``job_state()``; a regular pickle keeps the member.

The job state of an object is a copy of its ``__dict__`` with the ``ALWAYS`` declarations
applied, then the ``JOB`` ones. That is what old hooks produced when the job-state method
started from ``self.__getstate__()``. (A job-state method that started from
``self.__dict__.copy()`` ignored ``__getstate__``; the migrate codemod reports such classes
rather than rewriting them.) A ``JOB`` declaration on a member that also has an ``ALWAYS``
one therefore sees what ``ALWAYS`` left: ``clear`` replaces it, ``custom`` serializes it,
and ``missing_ok=False`` fails if ``ALWAYS`` left the member out.

Pickling and unpickling
-----------------------
``JobSerializable`` implements ``__getstate__`` (the ``ALWAYS`` declarations applied to a
copy of ``__dict__``) and ``__setstate__`` (update ``__dict__``, ``deserialize`` the custom
members, run the ``@on_restore`` methods). Regular and job pickles both restore through
``__setstate__``, so an object comes back with the ``__dict__`` the old hooks gave it: an old
``__setstate__`` made of ``self.__dict__.update(state); self._init()`` becomes
``@on_restore`` on ``_init``.

``JobPickler(file, protocol=None)`` is a ``pickle.Pickler`` that pickles every
``JobSerializable`` instance, of any subclass, as ``(cls.__new__, (cls,), job_state(obj))``,
as the old per-class reducers did. Everything else follows the usual rules, including a
``dispatch_table`` you set: its entry for an exact type wins over the generic rule, so a
plugin rebuilt through its factory keeps its own reducer, which can call
``job_state(plugin)``. A subclass that decides its own pickling, with a hand-written
``__getstate__``, ``__reduce__`` or ``__reduce_ex__``, follows the usual rules too, as the
old job pickler (whose entries were for exact types) left it to them. Python 3.8 and newer
run the generic rule from ``Pickler.reducer_override``; older ones from a dispatch table
that resolves subclasses.

The job state of a class with a ``JOB``-scope ``custom`` member carries one extra key,
``"(job state)"``, which tells ``__setstate__`` to undo the job-scope conversions; keep it
when a hand-written reducer passes ``job_state(obj)`` on.

Refusing to be pickled
----------------------
::

    class Scheduler(JobUnserializable, reason="Scheduler objects should not be pickled."):
        ...

Pickling a ``Scheduler`` raises ``UnserializableError``, a ``TypeError`` as the old
refusing ``__getstate__`` raised: an old ``except TypeError`` still catches it, and an old
``except KeyError`` still lets it through (it is no ``SerializationError``). Through
``JobPickler``, the message names every such object reachable from the pickled one, the path
to it, what holds it, and the declaration that would leave it out::

    UnserializableError: Pickling for a child job reached 1 object that refuses to be pickled.
    Paths start at the pickled object, a Job, written `job`.

    1. job._element._Element__scheduler: a Scheduler (app.scheduler.Scheduler)
       Reason: Scheduler objects should not be pickled.
       Held by job._element, an Element, in attribute _Element__scheduler.
       Fix: add @clear("__scheduler", scope=JOB) to class Element (app.elements).

An object held in several places gets one "Held by" and one "Fix" per place; one held in a
list, dict or tuple gets the declaration that leaves out the member holding that
container. A plain ``pickle.dumps()`` cannot know the path: its message gives the reason
and the class, and points to ``explain_unserializable(root)``, which writes the report
above for any object. All this work happens only after pickling has failed; pickling that
succeeds pays nothing for it.

Python hands a class keyword such as ``reason=`` to the first ``__init_subclass__`` in the
MRO, and to no other hook. A base listed before ``JobUnserializable`` whose
``__init_subclass__`` does not pass the keywords on with
``super().__init_subclass__(**kwargs)`` therefore loses the reason: the class still refuses
to be pickled, with the reason it inherits (or the default one), and the message says the
reason was lost and names that base. If that method takes no keywords at all, the class
statement itself fails with Python's ``TypeError``. Either way, list ``JobUnserializable``
before such a base (``class Scheduler(JobUnserializable, Artist, reason=...)``), or make its
``__init_subclass__`` pass the keywords on.
"""

import copyreg
import enum
import operator
import pickle
import re
import sys
import types
from collections import deque

__all__ = [
    "ALWAYS",
    "JOB",
    "JobPickler",
    "JobSerializable",
    "JobUnserializable",
    "MissingMemberError",
    "Scope",
    "SerializationError",
    "UnserializableError",
    "clear",
    "custom",
    "explain_unserializable",
    "job_state",
    "on_restore",
]


class Scope(enum.Enum):
    """When a declaration applies: to every pickle, or only to pickles for a child job."""

    ALWAYS = "always"
    JOB = "job"

    def __repr__(self):
        return self.name


ALWAYS = Scope.ALWAYS
JOB = Scope.JOB


class SerializationError(KeyError):
    """An object cannot be pickled as its class declares (a declared member is missing).

    A ``KeyError``, as the ``del state["x"]`` of an old hook raised, so that an old
    ``except KeyError`` still catches it; but its message reads as written, not quoted.
    """

    def __str__(self):
        # KeyError.__str__ gives the repr of its argument (a key); this one is a message.
        return Exception.__str__(self)


class MissingMemberError(SerializationError, AssertionError):
    """A strict ``clear(..., value=...)`` or ``clear(..., factory=...)`` found its member
    missing. Such a declaration is what ``assert "x" in state`` then ``state["x"] = ...``
    becomes, and that ``assert`` raised AssertionError: this is one too, and a
    ``SerializationError`` (a ``KeyError``) like every missing member."""


class UnserializableError(TypeError):
    """Pickling reached an instance of a ``JobUnserializable`` class.

    A ``TypeError``, as the ``raise TypeError(...)`` of an old refusing ``__getstate__``, and
    nothing else: not a ``SerializationError``, which is a ``KeyError``, so that an old
    ``except KeyError`` does not catch a refusal it never caught.
    """


class _NotGiven:
    """The default of ``clear(value=...)``, which tells "not given" from ``None``."""

    def __repr__(self):
        return "<not given>"


_NOT_GIVEN = _NotGiven()

# The key a job state carries when __setstate__ must undo job-scope custom conversions.
# Not an identifier, so no attribute set the usual way can collide with it.
_JOB_STATE_KEY = "(job state)"

# Where a class keeps its own declarations and its compiled policy. The names are those of
# private attributes of JobSerializable (``self.__policy`` in its body). A class without a
# policy of its own inherits one compiled for a base, which _policy_of() tells apart.
_DECLARATIONS = "_JobSerializable__declarations"
_POLICY = "_JobSerializable__policy"

# The attribute @on_restore sets on the function it decorates.
_ON_RESTORE = "_serialization_on_restore"

# What a declaration does with its member.
_OMIT, _VALUE, _FACTORY, _CUSTOM = "omit", "value", "factory", "custom"


# Declarations ------------------------------------------------------------------------------


def clear(*names, scope=ALWAYS, value=_NOT_GIVEN, factory=None, missing_ok=False):
    """Class decorator: the named members are not pickled.

    Without ``value`` and ``factory`` the members are left out of the state; with
    ``value=v`` the state holds ``v``; with ``factory=f`` it holds ``f()``, called at each
    pickling. Unless ``missing_ok`` is true, a member absent at pickling time raises
    ``SerializationError``. ``scope=JOB`` limits the declaration to pickles for child jobs.
    """
    if not names:
        raise TypeError("clear() needs the name of at least one member")
    _check_names(names, "clear")
    if value is not _NOT_GIVEN and factory is not None:
        raise TypeError("clear() takes value= or factory=, not both")
    if factory is not None and not callable(factory):
        raise TypeError("clear(factory=...) must be callable, got {!r}".format(factory))
    _check_scope(scope, "clear")
    if factory is not None:
        kind, argument = _FACTORY, factory
    elif value is not _NOT_GIVEN:
        kind, argument = _VALUE, value
    else:
        kind, argument = _OMIT, None

    def decorate(cls):
        _declare(
            cls,
            "clear",
            [
                _Declaration(cls, name, scope, kind, argument, missing_ok=missing_ok)
                for name in names
            ],
        )
        return cls

    return decorate


def custom(name, serialize, deserialize, *, scope=ALWAYS):
    """Class decorator: the member is pickled as ``serialize(value)``, restored as
    ``deserialize(data)``. ``scope=JOB`` limits it to pickles for child jobs."""
    _check_names([name], "custom")
    if not (callable(serialize) and callable(deserialize)):
        raise TypeError("custom() takes a callable serialize and a callable deserialize")
    _check_scope(scope, "custom")

    def decorate(cls):
        _declare(
            cls,
            "custom",
            [_Declaration(cls, name, scope, _CUSTOM, serialize, deserialize, missing_ok=True)],
        )
        return cls

    return decorate


def on_restore(method):
    """Method decorator: ``method(self)`` runs after the object's state is restored."""
    if not isinstance(method, types.FunctionType):
        raise TypeError(
            "@on_restore decorates a plain method (def name(self): ...), got {!r}".format(method)
        )
    setattr(method, _ON_RESTORE, True)
    return method


class _Declaration:
    """One member's declaration, as one decorator wrote it on one class."""

    __slots__ = (
        "owner",
        "written_name",
        "member",
        "scope",
        "kind",
        "argument",
        "deserialize",
        "missing_ok",
    )

    def __init__(self, owner, written_name, scope, kind, argument, deserialize=None, *, missing_ok):
        self.owner = owner
        self.written_name = written_name
        self.member = _mangle(written_name, owner.__name__)
        self.scope = scope
        self.kind = kind
        self.argument = argument
        self.deserialize = deserialize
        self.missing_ok = missing_ok

    def __str__(self):
        """The decorator as written, and where: ``@clear("__x", scope=JOB) on Element``."""
        arguments = [_quote(self.written_name)]
        if self.kind is _VALUE:
            arguments.append("value={!r}".format(self.argument))
        elif self.kind is _FACTORY:
            arguments.append("factory=" + _name_of(self.argument))
        elif self.kind is _CUSTOM:
            arguments += [_name_of(self.argument), _name_of(self.deserialize)]
        if self.scope is JOB:
            arguments.append("scope=JOB")
        if self.missing_ok and self.kind is not _CUSTOM:
            arguments.append("missing_ok=True")
        decorator = "custom" if self.kind is _CUSTOM else "clear"
        return "@{}({}) on {}".format(decorator, ", ".join(arguments), self.owner.__qualname__)


def _mangle(name, class_name):
    """``name`` as Python mangles it in the body of a class called ``class_name``."""
    if not name.startswith("__") or name.endswith("__"):
        return name
    stripped = class_name.lstrip("_")
    return "_" + stripped + name if stripped else name


def _check_names(names, decorator):
    for name in names:
        if not isinstance(name, str):
            raise TypeError("{}() takes member names as strings, got {!r}".format(decorator, name))


def _check_scope(scope, decorator):
    if not isinstance(scope, Scope):
        raise TypeError("{}(scope=...) takes ALWAYS or JOB, got {!r}".format(decorator, scope))


def _declare(cls, decorator, declarations):
    """Add ``declarations`` to the decorated class ``cls``, recompile its policy and drop the
    policies compiled for its subclasses."""
    if not isinstance(cls, type):
        raise TypeError("@{} decorates a class, got {!r}".format(decorator, cls))
    if not issubclass(cls, JobSerializable):
        raise TypeError(
            "@{decorator} declares how instances of a JobSerializable class are pickled, but "
            "{qualname} does not inherit JobSerializable. Add it to the bases: "
            "class {name}(..., JobSerializable).".format(
                decorator=decorator, qualname=cls.__qualname__, name=cls.__name__
            )
        )
    own = cls.__dict__.get(_DECLARATIONS)
    if own is None:
        own = []
        setattr(cls, _DECLARATIONS, own)
    added = []
    for declaration in declarations:
        for earlier in own:
            if (earlier.member, earlier.scope) == (declaration.member, declaration.scope):
                raise TypeError(
                    "member {!r} of {} is declared twice for scope {}: {} and {}".format(
                        declaration.member,
                        cls.__qualname__,
                        declaration.scope.name,
                        earlier,
                        declaration,
                    )
                )
        added.append(declaration)
    # Class decorators apply from the bottom up: each one's declarations go before those
    # already there, so that a state is edited in the order the decorators are written,
    # top to bottom, as the old hook's statements were (the first missing member is the
    # one reported).
    own[:0] = added
    for klass in _with_subclasses(cls)[1:]:
        if _POLICY in klass.__dict__:
            delattr(klass, _POLICY)  # Compiled again when next used.
    _compile(cls)


def _with_subclasses(cls):
    """``cls`` and every class derived from it, each once."""
    found = [cls]
    for klass in found:  # Grows as it goes.
        for subclass in klass.__subclasses__():
            if subclass not in found:
                found.append(subclass)
    return found


# Policies: the declarations of a class and its bases, compiled for pickling ------------------


# What a state builder does to one member.
_DELETE, _DISCARD, _SET, _MAKE, _CONVERT = "delete", "discard", "set", "make", "convert"


def _operation(declaration):
    """The state-builder operation that carries out one declaration: a tuple
    ``(member, operation, argument, strict)``."""
    strict = not declaration.missing_ok
    if declaration.kind is _OMIT:
        return declaration.member, _DELETE if strict else _DISCARD, None, False
    operation = {_VALUE: _SET, _FACTORY: _MAKE, _CUSTOM: _CONVERT}[declaration.kind]
    return declaration.member, operation, declaration.argument, strict


class _StateBuilder:
    """Builds the state of one kind of pickle, regular or job, for one class: a copy of
    ``__dict__`` edited by the declarations, in order."""

    __slots__ = ("declarations", "operations", "marked")

    def __init__(self, declarations, marked=False):
        self.declarations = declarations
        self.operations = tuple(_operation(declaration) for declaration in declarations)
        # Whether the state carries _JOB_STATE_KEY.
        self.marked = marked

    def build(self, obj):
        # One loop in one frame, close to the speed of the hand-written method it replaces:
        # this runs for every object pickled. _job_reducer has a copy of it.
        state = obj.__dict__.copy()
        try:
            for member, operation, argument, strict in self.operations:
                if operation is _DELETE:  # Raises KeyError by itself.
                    del state[member]
                elif operation is _DISCARD:
                    state.pop(member, None)
                else:
                    if strict and member not in state:
                        raise KeyError(member)
                    if operation is _SET:
                        state[member] = argument
                    elif operation is _MAKE:
                        state[member] = argument()
                    elif member in state:  # _CONVERT
                        state[member] = argument(state[member])
        except KeyError:
            if member in state or not (strict or operation is _DELETE):
                raise  # From a factory or serialize function.
            raise self._missing_member_error(obj, member) from None
        if self.marked:
            state[_JOB_STATE_KEY] = True
        return state

    def _missing_member_error(self, obj, member):
        declarations = [d for d in self.declarations if d.member == member]
        strict = [d for d in declarations if not d.missing_ok]
        if member not in obj.__dict__:
            error = MissingMemberError if strict and strict[0].kind in (_VALUE, _FACTORY) \
                else SerializationError
            return error(
                "cannot pickle {} object: it has no member {!r}, which {} requires. If the "
                "member may be absent, add missing_ok=True to the declaration; if it was "
                "renamed, rename it there too.".format(_a(type(obj)), member, strict[0])
            )
        return SerializationError(
            "cannot pickle {} object for a child job: {} requires its member {!r}, but {} "
            "leaves it out first (a job state applies the ALWAYS declarations, then the JOB "
            "ones). Add missing_ok=True to the JOB declaration, or remove one of the two.".format(
                _a(type(obj)), strict[-1], member, declarations[0]
            )
        )


class _NoDictStateBuilder:
    """The state builder of a class whose instances have no ``__dict__``: it fails, as the
    ``self.__dict__.copy()`` of an old hook did, with AttributeError, but says why."""

    __slots__ = ("cls",)

    def __init__(self, cls):
        self.cls = cls

    def build(self, obj):
        raise self.error()

    def error(self):
        return AttributeError(
            "cannot pickle {a_class} object: it has no __dict__, which is what a "
            "JobSerializable object is pickled from (the values of __slots__ are not "
            'pickled). To give it one, add "__dict__" to the __slots__ of {name}.'.format(
                a_class=_a(self.cls), name=self.cls.__qualname__
            )
        )


class _Policy:
    """How the instances of one JobSerializable class are pickled and restored."""

    __slots__ = (
        "cls",
        "regular",
        "job",
        "reconstructor",
        "reconstructor_arguments",
        "deserializers",
        "job_deserializers",
        "restore_hooks",
    )

    def __init__(self, cls, always, job_only, restore_hooks):
        """``always`` and ``job_only`` map each member to its winning declaration."""
        self.cls = cls  # The class compiled for: its subclasses inherit the attribute.
        self.deserializers = tuple(
            (member, declaration.deserialize)
            for member, declaration in always.items()
            if declaration.kind is _CUSTOM
        )
        job_deserializers = []
        for member in list(always) + [m for m in job_only if m not in always]:
            deserialize = _job_deserializer(always.get(member), job_only.get(member))
            if deserialize is not None:
                job_deserializers.append((member, deserialize))
        # A job state is marked only when restoring it takes other steps than restoring a
        # regular state.
        marked = tuple(job_deserializers) != self.deserializers
        self.job_deserializers = tuple(job_deserializers) if marked else None
        always, job_only = list(always.values()), list(job_only.values())
        if cls.__dictoffset__:
            self.regular = _StateBuilder(always)
            self.job = _StateBuilder(always + job_only, marked)
        else:  # Every class of the MRO has __slots__.
            self.regular = self.job = _NoDictStateBuilder(cls)
        self.reconstructor = cls.__new__
        self.reconstructor_arguments = (cls,)
        self.restore_hooks = tuple(restore_hooks)

    def restore(self, obj, state):
        attributes = obj.__dict__
        attributes.update(state)
        deserializers = self.deserializers
        if self.job_deserializers is not None and attributes.pop(_JOB_STATE_KEY, False):
            deserializers = self.job_deserializers
        for member, deserialize in deserializers:
            if member in attributes:
                attributes[member] = deserialize(attributes[member])
        for name in self.restore_hooks:
            getattr(obj, name)()


def _job_deserializer(always, job):
    """What undoes, at restore time, the job-state edits of one member, or None."""
    if job is None:
        return always.deserialize if always.kind is _CUSTOM else None
    if job.kind is not _CUSTOM:
        return None
    if always is not None and always.kind is _CUSTOM:
        undo_job, undo_always = job.deserialize, always.deserialize
        return lambda data: undo_always(undo_job(data))
    return job.deserialize


def _policy_of(cls):
    """The policy of ``cls``, a JobSerializable class: the one cached on it, or compiled now.

    The declarations are read from the MRO here, not in ``__init_subclass__``, which a base
    may override without calling ``super()`` (as matplotlib's Artist does): a class whose
    policy was never compiled for it inherits that of a base, which this tells apart by the
    class it records. ``__getstate__`` and ``__setstate__`` have a copy of this test.
    """
    policy = getattr(cls, _POLICY)
    if policy.cls is cls:
        return policy
    return _compile(cls)


def _compile(cls):
    """Compile the declarations of ``cls`` and its bases into its policy, cache it on
    ``cls`` and return it."""
    winning = {ALWAYS: {}, JOB: {}}
    restore_hooks = []
    for klass in reversed(cls.__mro__):
        for declaration in klass.__dict__.get(_DECLARATIONS, ()):
            winning[declaration.scope][declaration.member] = declaration
        for name, attribute in klass.__dict__.items():
            if _is_restore_hook(attribute) and name not in restore_hooks:
                restore_hooks.append(name)
    policy = _Policy(cls, winning[ALWAYS], winning[JOB], restore_hooks)
    setattr(cls, _POLICY, policy)
    return policy


def _is_restore_hook(attribute):
    return isinstance(attribute, types.FunctionType) and getattr(attribute, _ON_RESTORE, False)


# The base classes --------------------------------------------------------------------------


class JobUnserializable:
    """Base class of objects that must never be pickled.

    ``class Scheduler(JobUnserializable, reason="...")``: pickling an instance raises
    ``UnserializableError`` with that reason. ``JobPickler`` adds the path to the instance,
    what holds it, and the declaration that leaves it out. The refusal does not depend on
    ``__init_subclass__``; the reason does, as Python hands class keywords to it alone.
    """

    __slots__ = ()
    __reason = None

    def __init_subclass__(cls, reason=None, **kwargs):
        # Marks the class as seen: without the mark, a base ran its own __init_subclass__
        # without calling super(), and a reason= keyword never reached this one.
        cls.__init_subclass_ran = True
        super().__init_subclass__(**kwargs)
        if reason is not None:
            if not isinstance(reason, str):
                raise TypeError("reason= takes a string, got {!r}".format(reason))
            cls.__reason = reason

    def __reduce_ex__(self, protocol):
        raise UnserializableError(_plain_refusal_message(self))


class JobSerializable:
    """Base class of objects pickled as their class's declarations say.

    Pickling uses the ``ALWAYS`` declarations of the class and its bases; job pickling
    (``JobPickler``, ``job_state``) uses ``ALWAYS`` then ``JOB``. Unpickling restores
    ``__dict__``, deserializes the custom members and runs the ``@on_restore`` methods.
    The state is the instance ``__dict__`` alone: the values of ``__slots__`` that a
    subclass adds are not pickled, as with the old hooks. A subclass that also inherits
    ``JobUnserializable`` refuses to be pickled.
    """

    __slots__ = ()

    # No __init_subclass__, which a base may override without calling super(): the policy
    # is compiled for type(self) on first use, as _policy_of() does, written out here to
    # save a call for every object pickled.

    def __getstate__(self):
        policy = self.__policy
        if policy.cls is not type(self):
            policy = _compile(type(self))
        return policy.regular.build(self)

    def __setstate__(self, state):
        policy = self.__policy
        if policy.cls is not type(self):
            policy = _compile(type(self))
        policy.restore(self, state)


_compile(JobSerializable)


def _reason(obj):
    reason = type(obj)._JobUnserializable__reason
    return reason or "{} objects must not be pickled.".format(type(obj).__qualname__)


def _lost_reason_note(cls):
    """For a JobUnserializable class that ``JobUnserializable.__init_subclass__`` never saw,
    a note that any ``reason=`` of its class statement was lost, and why; otherwise None."""
    if cls is JobUnserializable or "_JobUnserializable__init_subclass_ran" in cls.__dict__:
        return None
    mro = cls.__mro__
    # Python ran the first __init_subclass__ after cls in its MRO; one of these, before
    # JobUnserializable's, did not call super().__init_subclass__(**kwargs).
    bases = [
        "{}.__init_subclass__ ({})".format(klass.__qualname__, klass.__module__)
        for klass in mro[1 : mro.index(JobUnserializable)]
        if "__init_subclass__" in klass.__dict__
    ]
    if len(bases) == 1:
        culprit = bases[0] + " ran instead and does"
    else:
        culprit = "one of {} does".format(", ".join(bases) or "the __init_subclass__ methods")
    return (
        "Python did not run JobUnserializable.__init_subclass__ for {cls}: {culprit} not call "
        "super().__init_subclass__(**kwargs), so a reason= in the class statement of {cls} "
        "was lost; the reason shown is inherited or the default. To keep it, list "
        "JobUnserializable before that class among the bases, or make that method pass the "
        "keywords on.".format(cls=cls.__qualname__, culprit=culprit)
    )


def _plain_refusal_message(obj):
    note = _lost_reason_note(type(obj))
    return (
        "{reason}{note} (Pickling reached {a_class}, which is JobUnserializable. A plain pickle "
        "call cannot tell which object holds it; to see the path to it and the declaration "
        "that leaves it out, pickle with {module}.JobPickler, or call "
        "{module}.explain_unserializable(root) on the object you pickled.)".format(
            reason=_reason(obj),
            note=" (Note: {})".format(note) if note else "",
            a_class=_a(type(obj), qualified=True),
            module=__name__,
        )
    )


# Job pickling ------------------------------------------------------------------------------


def job_state(obj):
    """The state dict that job pickling would use for ``obj``, a JobSerializable.

    For reducers that stay hand-written, e.g. a plugin rebuilt through its factory::

        def reduce_plugin(plugin):
            return make_plugin, (plugin.name,), job_state(plugin)
    """
    if not isinstance(obj, JobSerializable):
        raise TypeError(
            "job_state() takes a JobSerializable object, got {}".format(
                _a(type(obj), qualified=True)
            )
        )
    if isinstance(obj, JobUnserializable):
        raise UnserializableError(_plain_refusal_message(obj))
    return _policy_of(type(obj)).job.build(obj)


class JobPickler(pickle.Pickler):
    """A ``pickle.Pickler`` for child jobs: every ``JobSerializable`` is pickled with its job
    state, everything else as usual.

    Takes the arguments of ``pickle.Pickler``. Entries of a ``dispatch_table`` set on the
    pickler (or of ``copyreg.dispatch_table`` when none is) win over the generic rule for
    their exact types. When pickling reaches a ``JobUnserializable`` object, ``dump()`` raises
    ``UnserializableError`` describing every such object reachable from what it pickles.
    """

    #: True: find JobSerializable objects with ``Pickler.reducer_override`` (Python 3.8+).
    #: False: with a dispatch table that resolves JobSerializable subclasses, as Python 3.6
    #: and 3.7 must; a subclass may set it to False to exercise that route on newer Pythons.
    use_reducer_override = sys.version_info >= (3, 8)

    def __init__(self, file, protocol=None, **kwargs):
        super().__init__(file, protocol, **kwargs)
        if protocol is None:
            protocol = pickle.DEFAULT_PROTOCOL
        self._protocol = pickle.HIGHEST_PROTOCOL if protocol < 0 else protocol

    def dump(self, obj):
        own_table = getattr(self, "dispatch_table", None)
        exact_reducers = copyreg.dispatch_table if own_table is None else own_table
        # The pickler looks up reducer_override and dispatch_table afresh at each dump, so
        # the generic rule is installed for this dump, with the exact-type entries of now.
        if self.use_reducer_override:
            self.reducer_override = _job_reducer(exact_reducers)
        else:
            self.dispatch_table = _JobDispatchTable(exact_reducers, self._protocol)
        try:
            super().dump(obj)
        except UnserializableError:
            report = _report(obj, JOB, exact_reducers, self._protocol)
            if report is None:
                raise
            raise UnserializableError(report) from None
        finally:
            if self.use_reducer_override:
                del self.reducer_override
            elif own_table is None:
                del self.dispatch_table
            else:
                self.dispatch_table = own_table


def _generic_rule_policy(cls):
    """The policy with which JobPickler's generic rule pickles instances of ``cls``, or None
    if the usual rules apply: for the refusal of a JobUnserializable class, and for a class
    whose pickling JobSerializable does not decide (a subclass with a hand-written
    ``__getstate__``, ``__reduce__`` or ``__reduce_ex__``), which the old job pickler, with
    entries for exact types only, also left to the usual rules."""
    if issubclass(cls, JobSerializable) and not issubclass(cls, JobUnserializable) and (
        cls.__getstate__ is JobSerializable.__getstate__
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
    ):
        policy = _policy_of(cls)
        if type(policy.job) is _NoDictStateBuilder:
            raise policy.job.error()  # When the type is met: the fast path never checks.
        return policy
    return None


def _job_reducer(exact_reducers):
    """The reducer of JobPickler's generic rule.

    It returns the reduce value of job pickling -- that of the old per-class reducers,
    ``(cls.__new__, (cls,), job state)`` -- for a JobSerializable object whose type has no
    entry in ``exact_reducers``, and NotImplemented for any other object. JobPickler uses it
    as ``reducer_override``, or on older Pythons as the dispatch-table entry of each
    JobSerializable type.
    """
    policies = {}  # Each type met: its policy, or None where the usual rules apply.

    def reduce_for_job(obj):
        try:
            policy = policies[type(obj)]
        except KeyError:
            cls = type(obj)
            policy = policies[cls] = None if cls in exact_reducers else _generic_rule_policy(cls)
        if policy is None:
            return NotImplemented
        # _StateBuilder.build, written out to save a call for every object pickled. Keep the
        # two in step: the tests pickle through this and take job_state() through that.
        builder = policy.job
        state = obj.__dict__.copy()
        try:
            for member, operation, argument, strict in builder.operations:
                if operation is _DELETE:
                    del state[member]
                elif operation is _DISCARD:
                    state.pop(member, None)
                else:
                    if strict and member not in state:
                        raise KeyError(member)
                    if operation is _SET:
                        state[member] = argument
                    elif operation is _MAKE:
                        state[member] = argument()
                    elif member in state:  # _CONVERT
                        state[member] = argument(state[member])
        except KeyError:
            if member in state or not (strict or operation is _DELETE):
                raise
            raise builder._missing_member_error(obj, member) from None
        if builder.marked:
            state[_JOB_STATE_KEY] = True
        return policy.reconstructor, policy.reconstructor_arguments, state

    return reduce_for_job


class _JobDispatchTable(dict):
    """The dispatch table of a JobPickler without ``reducer_override`` (Python < 3.8).

    It starts with the exact-type entries in force. The C pickler looks types up with
    ``table[type]``, so a type without an entry lands in ``__missing__``, which resolves it
    once per dump: a JobSerializable subclass to its job reducer, any other type to its own
    ``__reduce_ex__``, which is what the pickler would call without an entry.
    """

    def __init__(self, exact_reducers, protocol):
        super().__init__(exact_reducers)
        self._job_reducer = _job_reducer(exact_reducers)
        self._protocol = protocol

    def __missing__(self, cls):
        if _generic_rule_policy(cls) is not None:
            reducer = self._job_reducer
        elif issubclass(cls, type):
            # No entry, as usual: the pickler saves a class with a metaclass by name.
            raise KeyError(cls)
        else:
            reducer = operator.methodcaller("__reduce_ex__", self._protocol)
        self[cls] = reducer
        return reducer

    def get(self, cls, default=None):
        # The pure-Python pickler (as on PyPy) looks types up with get().
        try:
            return self[cls]
        except KeyError:
            return default


# Explaining a refusal ----------------------------------------------------------------------


def explain_unserializable(root, scope=ALWAYS):
    """Describe every JobUnserializable object that pickling ``root`` would reach.

    With ``scope=JOB``, as job pickling would pickle it. Returns the report that
    ``UnserializableError`` carries (the path to each object, what holds it, and the
    declaration that leaves it out), or None when nothing reachable refuses pickling.
    """
    _check_scope(scope, "explain_unserializable")
    return _report(root, scope, copyreg.dispatch_table, pickle.DEFAULT_PROTOCOL)


# Values pickled by value without anything inside, or by reference: never walked into.
_LEAVES = (
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    bytearray,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.ModuleType,
)

# How an edge of the object graph holds its target.
_ATTRIBUTE, _ITEM, _OTHER = "attribute", "item", "other"


class _Node:
    """An object reached by the walk: the path to it, and which attribute of which object
    holds it, through containers if need be (None for the root and its items)."""

    __slots__ = ("obj", "path", "holder")

    def __init__(self, obj, path, holder):
        self.obj = obj
        self.path = path
        self.holder = holder


class _Refusal:
    """A JobUnserializable object found by the walk, with every edge that reaches it."""

    __slots__ = ("obj", "path", "referrers")

    def __init__(self, obj, path):
        self.obj = obj
        self.path = path
        self.referrers = []  # (referring _Node, kind, label)


def _report(root, scope, exact_reducers, protocol):
    """The message for every JobUnserializable object reachable from ``root``, or None."""
    root_name = _root_name(root)
    reduce = _reduce_as_pickled(scope, exact_reducers, protocol)
    refusals = _find_refusals(root, root_name, reduce)
    if not refusals:
        return None
    count = len(refusals)
    lines = [
        "Pickling{} reached {} object{} that refuse{} to be pickled.".format(
            " for a child job" if scope is JOB else "",
            count,
            "s" if count > 1 else "",
            "" if count > 1 else "s",
        ),
        "Paths start at the pickled object, {}, written `{}`.".format(_a(type(root)), root_name),
    ]
    for number, refusal in enumerate(refusals, 1):
        lines.append("")
        lines.extend(_describe_refusal(number, refusal, scope))
    return "\n".join(lines)


def _reduce_as_pickled(scope, exact_reducers, protocol):
    """A function that reduces an object as a pickler for ``scope`` would."""
    job_reducer = _job_reducer(exact_reducers) if scope is JOB else None

    def reduce(obj):
        if job_reducer is not None:
            reduced = job_reducer(obj)
            if reduced is not NotImplemented:
                return reduced
        exact_reducer = exact_reducers.get(type(obj))
        return obj.__reduce_ex__(protocol) if exact_reducer is None else exact_reducer(obj)

    return reduce


def _find_refusals(root, root_name, reduce):
    """Walk what pickling ``root`` would pickle, breadth first (so each path found is a
    shortest one), and return the JobUnserializable objects met, in that order."""
    if isinstance(root, JobUnserializable):
        return [_Refusal(root, root_name)]
    refusals = {}
    seen = {id(root)}
    # Objects made by reducers during the walk stay referenced here, so ids stay unique.
    keep_alive = [root]
    queue = deque([_Node(root, root_name, None)])
    while queue:
        node = queue.popleft()
        for kind, label, child in _references(node.obj, reduce):
            if isinstance(child, JobUnserializable):
                refusal = refusals.get(id(child))
                if refusal is None:
                    refusal = refusals[id(child)] = _Refusal(child, node.path + label)
                refusal.referrers.append((node, kind, label))
            elif not isinstance(child, _LEAVES) and id(child) not in seen:
                seen.add(id(child))
                keep_alive.append(child)
                if kind is _ATTRIBUTE:
                    holder = (node, label[1:])
                elif kind is _ITEM:
                    holder = node.holder
                else:
                    holder = None
                queue.append(_Node(child, node.path + label, holder))
    return list(refusals.values())


def _references(obj, reduce):
    """The (kind, path label, object) edges pickling ``obj`` follows."""
    cls = type(obj)
    if cls is dict:
        for key, value in obj.items():
            yield _ITEM, "[{!r}]".format(key), value
            yield _OTHER, " (a key)", key
        return
    if cls is list or cls is tuple:
        for index, item in enumerate(obj):
            yield _ITEM, "[{}]".format(index), item
        return
    if cls is set or cls is frozenset:
        for item in obj:
            yield _OTHER, " (a set item)", item
        return
    try:
        reduced = reduce(obj)
    except Exception:
        return  # Not picklable for another reason, which pickle reports itself.
    if not isinstance(reduced, tuple):
        return  # A global, pickled by name.
    arguments, state, list_items, dict_items = (tuple(reduced[1:5]) + (None,) * 4)[:4]
    for index, argument in enumerate(arguments or ()):
        yield _OTHER, " (argument {} of its reduce value)".format(index), argument
    if isinstance(state, tuple) and len(state) == 2:
        states = state  # (__dict__, slots), as objects with __slots__ give.
    else:
        states = (state,)
    for part in states:
        if isinstance(part, dict):
            for key, value in part.items():
                if isinstance(key, str):
                    yield _ATTRIBUTE, "." + key, value
                else:
                    yield _ITEM, "[{!r}]".format(key), value
        elif part is not None:
            yield _OTHER, " (its state)", part
    for index, item in enumerate(list_items or ()):
        yield _ITEM, "[{}]".format(index), item
    for key, value in dict_items or ():
        yield _ITEM, "[{!r}]".format(key), value


def _describe_refusal(number, refusal, scope):
    """The lines that report one JobUnserializable object."""
    indent = " " * (len(str(number)) + 2)
    lines = [
        "{}. {}: {}".format(number, refusal.path, _a(type(refusal.obj), qualified=True)),
        indent + "Reason: " + _reason(refusal.obj),
    ]
    note = _lost_reason_note(type(refusal.obj))
    if note:
        lines.append(indent + "Note: " + note)
    if not refusal.referrers:
        lines.append(indent + "It is the pickled object itself: do not pickle it.")
    elif len(refusal.referrers) == 1:
        holder, fix = _describe_referrer(*refusal.referrers[0], scope)
        lines += [indent + "Held by " + holder, indent + "Fix: " + fix]
    else:
        lines.append(indent + "Held in {} places:".format(len(refusal.referrers)))
        for referrer in refusal.referrers:
            holder, fix = _describe_referrer(*referrer, scope)
            lines += [indent + "- by " + holder, indent + "  Fix: " + fix]
    return lines


def _describe_referrer(node, kind, label, scope):
    """What holds the object through one edge, and the fix for that edge."""
    if kind is _ATTRIBUTE:
        how = "in attribute " + label[1:]
        fix = _suggest_clear(node.obj, label[1:], scope)
    else:
        how = "as item " + label if kind is _ITEM else "as " + label.strip(" ()")
        fix = "take it out of {} before pickling it.".format(node.path)
        if kind is _ITEM and node.holder is not None:
            holder, attribute = node.holder
            fix = (
                "{} That leaves out all of {}.{}; to keep the rest, declare @custom for it "
                "instead.".format(
                    _suggest_clear(holder.obj, attribute, scope), holder.path, attribute
                )
            )
    return "{}, {}, {}.".format(node.path, _a(type(node.obj)), how), fix


def _suggest_clear(holder, attribute, scope):
    """The declaration that leaves ``attribute`` of the object ``holder`` out of the pickle."""
    owner, written_name = _declaring_class(type(holder), attribute)
    declaration = "@clear({}{})".format(_quote(written_name), ", scope=JOB" if scope is JOB else "")
    if isinstance(holder, JobSerializable):
        return "add {} to class {} ({}).".format(declaration, owner.__qualname__, owner.__module__)
    return "make class {} ({}) inherit JobSerializable, then add {} to it.".format(
        owner.__qualname__, owner.__module__, declaration
    )


def _declaring_class(cls, attribute):
    """The class to declare ``attribute`` on, and its name as written there: for a mangled
    private name (``_Element__x``), the class of ``cls``'s hierarchy it belongs to and
    ``__x``; otherwise ``cls`` itself and the name as it is."""
    for klass in cls.__mro__:
        prefix = "_" + klass.__name__.lstrip("_")
        if attribute.startswith(prefix + "__") and not attribute.endswith("__") and prefix != "_":
            return klass, attribute[len(prefix) :]
    return cls, attribute


def _root_name(obj):
    """What paths call the pickled object: its class name in snake case (``job``)."""
    cls = type(obj)
    if cls.__module__ == "builtins":
        return "root"
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", cls.__name__)
    return name.lower().lstrip("_") or "root"


def _a(cls, qualified=False):
    """``an Element``, or with ``qualified``, ``an Element (app.elements.Element)``."""
    name = cls.__qualname__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    if qualified and cls.__module__ != "builtins":
        return "{} {} ({}.{})".format(article, name, cls.__module__, name)
    return "{} {}".format(article, name)


def _quote(name):
    return '"{}"'.format(name) if name.isidentifier() else repr(name)


def _name_of(function):
    return getattr(function, "__qualname__", None) or repr(function)
