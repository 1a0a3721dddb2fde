"""Things type specialisation and guards must get right: globals/builtins rebound
mid-function, types changing under a loop, subclasses of int/float/str with
overridden dunders, monkeypatching, __class__ assignment, frame introspection."""
import sys

from .harness import case

LIMIT = 5
STEP = 1


def _rebind_globals(i):
    global LIMIT, STEP
    if i == 2:
        LIMIT = 3
        STEP = 0.5


@case((), globals=("LIMIT", "STEP"))
def global_rebound_by_callee_mid_loop():
    out = []
    i = 0
    while i < LIMIT:
        _rebind_globals(i)
        out.append((i, LIMIT, STEP))
        i += STEP
    return out


def _shadow_len(i):
    if i == 1:
        globals()["len"] = lambda x: -1
    if i == 3:
        del globals()["len"]


@case((), globals=("len",))
def builtin_shadowed_mid_loop():
    out = []
    for i in range(5):
        _shadow_len(i)
        out.append(len("abc"))
    return out


@case(())
def local_type_changes_in_loop():
    x = 1
    seen = []
    for step in range(8):
        if step == 2:
            x = x + 0.5
        elif step == 4:
            x = int(x) * 2 ** 62
        elif step == 6:
            x = str(x)
        else:
            x = x * 2
        seen.append((type(x).__name__, x))
    return seen


@case((2 ** 63 - 3,), (-(2 ** 63) - 2,), (2 ** 62,))
def induction_variable_crosses_64_bits(start):
    out = []
    for i in range(start, start + 6):
        out.append(i + 1)
    j = start
    while j < start + 4:
        j += 1
    return out, j


class MyInt(int):
    def __add__(self, o):
        return MyInt(int(self) + int(o) + 1000)

    def __lt__(self, o):
        return int(self) < int(o) - 1

    def __index__(self):
        return int(self)

    def __repr__(self):
        return f"MyInt({int(self)})"


class MyFloat(float):
    def __mul__(self, o):
        return "MyFloat.mul"


class MyStr(str):
    def __eq__(self, o):
        return True

    def __hash__(self):
        return 0

    def __add__(self, o):
        return MyStr(str.__add__(self, o.upper()))


@case((1, 2), (MyInt(1), 2), (1, MyInt(2)), (MyInt(3), MyInt(4)), (True, 2))
def int_subclass_dispatch(a, b):
    return a + b, a < b, b + a, type(a + b).__name__, [0, 1, 2, 3, 4][a]


@case((1.5, 2.0), (MyFloat(1.5), 2.0), (2.0, MyFloat(3.0)))
def float_subclass_dispatch(a, b):
    return a * b, a + b, type(a).__name__


@case(("a", "b"), (MyStr("a"), "b"), ("a", MyStr("b")))
def str_subclass_dispatch(a, b):
    return a == b, a + b, type(a + b).__name__, {a: 1}.get(b)


@case((5,))
def same_function_many_types(n):
    def f(x):
        return x + x
    return [f(v) for v in (n, n * 1.5, str(n), [n], (n,), MyInt(n), True, 2 ** 70)]


class Plugin:
    def run(self):
        return "original"


def _patch(i):
    if i == 1:
        Plugin.run = lambda self: "patched"
    elif i == 2:
        del Plugin.run
    elif i == 3:
        Plugin.run = lambda self: "restored"


def _reset_plugin():
    Plugin.run = _ORIGINAL_RUN


_ORIGINAL_RUN = Plugin.run


@case((), resets=_reset_plugin)
def method_monkeypatched_mid_loop():
    p = Plugin()
    out = []
    for i in range(4):
        _patch(i)
        try:
            out.append(p.run())
        except AttributeError as e:
            out.append(str(e))
    _reset_plugin()
    return out


@case(())
def instance_attribute_shadows_method_mid_loop():
    class A:
        def m(self):
            return "method"
    a = A()
    out = []
    for i in range(3):
        if i == 1:
            a.m = lambda: "instance attr"
        if i == 2:
            del a.m
        out.append(a.m())
    return out


@case(())
def class_assignment_mid_loop():
    class A:
        def who(self):
            return "A"

    class B:
        def who(self):
            return "B"
    o = A()
    out = []
    for i in range(4):
        out.append(o.who())
        o.__class__ = B if o.__class__ is A else A
    return out


def _mutator(lst, i):
    if i == 1:
        lst.pop()
        lst.insert(0, "front")


@case(([1, 2, 3, 4],))
def list_mutated_by_callee_during_indexed_loop(lst):
    out = []
    i = 0
    while i < len(lst):
        _mutator(lst, i)
        out.append(lst[i])
        i += 1
    return out


@case(())
def dict_values_change_type():
    d = {"a": 1}
    out = []
    for v in (2, 2.5, "s", None, [1]):
        d["a"] = v
        out.append(repr(d["a"]) + type(d["a"]).__name__)
    return out


@case((3,), (3.0,), (True,))
def bool_and_int_mixing(x):
    total = 0
    for flag in (True, False, True):
        total += flag * x
    return total, type(total).__name__, True + True, -True, ~False


# frame introspection: compiled code must still look like its function ---------

@case(())
def frame_introspection_getframe():
    f = sys._getframe()
    return f.f_code.co_name, f.f_lineno - f.f_code.co_firstlineno, sys._getframe(1).f_code.co_name


@case((1, "two"))
def frame_introspection_locals(a, b):
    c = [a, b]
    return sorted(locals().items(), key=repr), sorted(vars()), dir()


class Base:
    def describe(self):
        return "Base.describe"


class Child(Base):
    def describe(self):
        # zero-argument super(): needs __class__ and the first argument
        return "Child/" + super().describe()

    def explicit(self):
        return super(Child, self).describe(), __class__.__name__


case((Child(),), name="method_with_zero_arg_super")(Child.describe)
case((Child(),), name="method_using_class_cell")(Child.explicit)


@case(())
def namedtuple_module_from_caller_frame():
    import collections
    P = collections.namedtuple("P", "x")
    return P.__module__, P(1)


@case(())
def inspect_stack_names():
    import inspect
    return inspect.currentframe().f_code.co_name, inspect.stack()[0].function
