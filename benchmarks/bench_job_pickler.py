"""Job pickling: JobPickler with declarations against hand-written per-class reducers.

Builds a graph of 100,000 small objects twice: once from classes with a hand-written
``get_state_for_child_job_pickling()`` whose reducers sit in a pickler's ``dispatch_table``
(the old way), once from JobSerializable classes with the same members declared, pickled by
JobPickler. Times both in this process, best of several runs, and prints the ratio new/old,
for JobPickler's ``reducer_override`` route and for its fallback for Python < 3.8.

    python benchmarks/bench_job_pickler.py [--objects N] [--repeat N]
"""

import argparse
import copyreg
import gc
import io
import os
import pickle
import sys
import time

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "codemods", "runtime")
)

from serialization import JOB, JobPickler, JobSerializable, clear  # noqa: E402

PROTOCOL = pickle.HIGHEST_PROTOCOL


# The old way: hand-written job state, one reducer per class. ----------------------------


def init_node(node, index, parent):
    node.name = "node-{}".format(index)
    node.index = index
    node.weight = index * 0.5
    node.parent = parent
    node._cache = {"hits": index}
    node._listener = print


def init_leaf(leaf, index, parent):
    init_node(leaf, index, parent)
    leaf.tags = ("leaf",)


class OldNode:
    __init__ = init_node

    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_listener"]
        state["_cache"] = {}
        return state


class OldLeaf(OldNode):
    __init__ = init_leaf


def _reduce_object(obj):
    cls = type(obj)
    return cls.__new__, (cls,), obj.get_state_for_child_job_pickling()


def old_job_pickler(file):
    pickler = pickle.Pickler(file, PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[OldNode] = _reduce_object
    pickler.dispatch_table[OldLeaf] = _reduce_object
    return pickler


# The new way: declarations, one generic rule. -------------------------------------------


@clear("_listener", scope=JOB)
@clear("_cache", scope=JOB, factory=dict)
class NewNode(JobSerializable):
    __init__ = init_node


class NewLeaf(NewNode):
    __init__ = init_leaf


class FallbackJobPickler(JobPickler):
    use_reducer_override = False


# ------------------------------------------------------------------------------------------


def build_graph(node_class, leaf_class, count):
    """``count`` objects, each pointing at a parent earlier in the list (a 4-ary tree)."""
    nodes = []
    for index in range(count):
        parent = nodes[(index - 1) // 4] if index else None
        cls = leaf_class if index % 2 else node_class
        nodes.append(cls(index, parent))
    return nodes


def dump_time(make_pickler, graph):
    """Seconds one ``make_pickler(file).dump(graph)`` takes, and what it wrote."""
    file = io.BytesIO()
    pickler = make_pickler(file)
    start = time.perf_counter()
    pickler.dump(graph)
    return time.perf_counter() - start, file.getvalue()


def best_times(contestants, repeat):
    """The best time of each ``(make_pickler, graph)`` over ``repeat`` rounds, and what it
    wrote. The rounds interleave the contestants, so a busy spell of the machine hits all of
    them; the garbage collector is off, as in timeit: its passes over the graph cost every
    contestant the same and would blur their difference."""
    best = [float("inf")] * len(contestants)
    written = [None] * len(contestants)
    gc.disable()
    try:
        for _ in range(repeat):
            for index, (make_pickler, graph) in enumerate(contestants):
                seconds, written[index] = dump_time(make_pickler, graph)
                best[index] = min(best[index], seconds)
    finally:
        gc.enable()
    return best, written


def check_same_restored_state(old_data, new_data):
    old, new = pickle.loads(old_data), pickle.loads(new_data)
    for old_node, new_node in zip(old, new):
        old_state = dict(old_node.__dict__, parent=getattr(old_node.parent, "index", None))
        new_state = dict(new_node.__dict__, parent=getattr(new_node.parent, "index", None))
        assert old_state == new_state, (old_state, new_state)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=30)
    options = parser.parse_args()

    old_graph = build_graph(OldNode, OldLeaf, options.objects)
    new_graph = build_graph(NewNode, NewLeaf, options.objects)
    routes = [("reducer_override", JobPickler), ("fallback (dispatch table)", FallbackJobPickler)]
    if not JobPickler.use_reducer_override:
        routes = routes[1:]  # Python < 3.8: JobPickler is the fallback.

    contestants = [(old_job_pickler, old_graph)]
    contestants += [(pickler_class, new_graph) for _, pickler_class in routes]
    times, written = best_times(contestants, options.repeat)
    print(
        "Python {}, {} objects, best of {}".format(
            sys.version.split()[0], options.objects, options.repeat
        )
    )
    print("{:<30} {:8.1f} ms".format("old: dispatch_table reducers", times[0] * 1000))
    for (name, _), new_time, new_data in zip(routes, times[1:], written[1:]):
        check_same_restored_state(written[0], new_data)
        print(
            "{:<30} {:8.1f} ms   new/old = {:.3f}".format(
                "new: " + name, new_time * 1000, new_time / times[0]
            )
        )


if __name__ == "__main__":
    main()
