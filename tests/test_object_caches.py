"""Class calls and method calls from compiled code when the methods are compiled
too (the differential suites compile only the calling function)."""
import gc
import sys

import jit


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except Exception as e:  # noqa: BLE001 - compared, not hidden
        return type(e).__name__, str(e)


def _classes():
    class Vec:
        def __init__(self, x, y=0.0):
            self.x = x
            self.y = y

        def add(self, other):
            return Vec(self.x + other.x, self.y + other.y)

        def norm1(self):
            return abs(self.x) + abs(self.y)

    class Bad:
        def __init__(self, v):
            self.v = v
            return v

    return Vec, Bad


def _program(Vec, Bad):
    def run(n):
        acc = Vec(0.0)
        for i in range(n):
            acc = acc.add(Vec(i, y=-i))
        out = [acc.norm1(), acc.x, acc.y]
        for args in ((), (1, 2, 3), ("s",)):
            try:
                out.append(Vec(*args).x)
            except TypeError as e:
                out.append(str(e))
        for v in (None, 1):
            try:
                out.append(Bad(v).v)
            except TypeError as e:
                out.append(str(e))
        return out
    return run


def test_compiled_init_and_methods_called_from_compiled_code_match_the_interpreter():
    Vec, Bad = _classes()
    expected = [_outcome(_program(Vec, Bad), n) for n in (0, 5, 50)]
    Vec, Bad = _classes()
    for cls, names in ((Vec, ("__init__", "add", "norm1")), (Bad, ("__init__",))):
        for name in names:
            setattr(cls, name, jit.compile(getattr(cls, name)))
    run = jit.compile(_program(Vec, Bad))
    for _ in range(3):
        assert [_outcome(run, n) for n in (0, 5, 50)] == expected


def test_instances_made_by_compiled_code_are_released():
    Vec, _ = _classes()
    Vec.__init__ = jit.compile(Vec.__init__)

    def make(n):
        out = None
        for i in range(n):
            out = Vec(i)
        return out

    made = jit.compile(make)
    made(10)
    gc.collect()
    before = len([o for o in gc.get_objects() if type(o) is Vec])
    for _ in range(50):
        made(20)
    gc.collect()
    assert len([o for o in gc.get_objects() if type(o) is Vec]) == before
    v = made(3)
    assert sys.getrefcount(v) == 2
