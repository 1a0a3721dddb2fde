"""Instance attributes read and written through per-site caches (3.11 managed
dicts, as LOAD_ATTR_INSTANCE_VALUE / STORE_ATTR_INSTANCE_VALUE do): the layout
facts the native code relies on (runtime/abi.py), checked on real objects; the
cache filler (rtlib's jit.attr_fill) on each kind of attribute; and compiled code
against the interpreter while types, instances and descriptors change under it."""
import ctypes
import functools
import gc
import sys

import pytest

import jit
from runtime import abi

pytestmark = pytest.mark.skipif(not abi.INSTANCE_VALUES, reason="3.11 managed-dict layout only")


def _word(addr, t=ctypes.c_void_p):
    return t.from_address(addr).value


class Plain:
    K = 5

    def __init__(self, x):
        self.x = x
        self.y = 2

    @property
    def p(self):
        return self.x * 10


class Sub(Plain):
    pass


class Hooked:
    def __init__(self):
        self.x = 7

    def __getattr__(self, name):
        return "missing:" + name


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x):
        self.x = x
        self.y = 0


class Intercepting(Plain):
    def __getattribute__(self, name):
        return ("seen", name) if name == "y" else object.__getattribute__(self, name)


def test_layout_facts_hold_for_this_interpreter():
    o = Plain(11)
    tp = id(Plain)
    flags = _word(tp + abi.TYPE_FLAGS, ctypes.c_uint64)
    assert flags & abi.TPFLAGS_MANAGED_DICT and flags & abi.TPFLAGS_HEAPTYPE
    assert _word(tp + abi.TYPE_GETATTRO) == ctypes.cast(ctypes.pythonapi.PyObject_GenericGetAttr,
                                                        ctypes.c_void_p).value
    Plain.K                                  # a lookup gives the type a version tag
    assert flags & abi.TPFLAGS_VALID_VERSION_TAG and _word(tp + abi.TYPE_VERSION_TAG, ctypes.c_uint32)
    keys = _word(tp + abi.HEAPTYPE_CACHED_KEYS)
    assert _word(keys + abi.KEYS_KIND, ctypes.c_uint8) == abi.DICT_KEYS_SPLIT
    n = _word(keys + abi.KEYS_NENTRIES, ctypes.c_int64)
    entries = keys + abi.KEYS_INDICES + (1 << _word(keys + abi.KEYS_LOG2_INDEX_BYTES, ctypes.c_uint8))
    names = [ctypes.cast(_word(entries + 16 * i), ctypes.py_object).value for i in range(n)]
    assert names[:2] == ["x", "y"]
    values = _word(id(o) + abi.OBJECT_VALUES)
    assert ctypes.cast(_word(values), ctypes.py_object).value == 11
    o.__dict__                               # a made dict takes the values over
    assert _word(id(o) + abi.OBJECT_VALUES) is None


def _fill(obj, name, store=False):
    from jit import rtlib
    fill = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.py_object, ctypes.py_object,
                             ctypes.c_bool)(rtlib.symbols()["jit.attr_fill"])
    cache = (ctypes.c_int64 * 3)()
    fill(ctypes.addressof(cache), obj, sys.intern(name), store)
    return cache[0] == id(type(obj)), cache[2]


def test_the_filler_caches_plain_instance_attributes_only():
    assert _fill(Plain(1), "x") == (True, 0) and _fill(Plain(1), "y", True) == (True, 1)
    for obj, name in [(Plain(1), "K"), (Plain(1), "p"), (Plain(1), "nope"), (Hooked(), "x"),
                      (Intercepting(1), "x"), (3, "real"), ("s", "upper")]:
        assert _fill(obj, name) == (True, -1), (obj, name)
    assert _fill(Hooked(), "x", True) == (True, 0)     # only loads are hooked


def _member_def(descr):
    """(type, offset, flags) of a member descriptor's PyMemberDef."""
    m = _word(id(descr) + abi.MEMBER_DESCR_DEF)
    return (_word(m + abi.MEMBER_TYPE, ctypes.c_int), _word(m + abi.MEMBER_OFFSET, ctypes.c_ssize_t),
            _word(m + abi.MEMBER_FLAGS, ctypes.c_int))


def test_member_layout_facts_hold_for_this_interpreter():
    descr = Slotted.__dict__["y"]
    assert _word(id(descr) + abi.OB_TYPE) == id(type(descr)) and \
        _word(id(descr) + abi.DESCR_TYPE) == id(Slotted)
    kind, offset, flags = _member_def(descr)
    assert (kind, flags) == (abi.T_OBJECT_EX, 0)
    s = Slotted(1)
    assert _word(id(s) + offset) == id(s.y)
    assert _member_def(range.__dict__["start"]) == (abi.T_OBJECT_EX, 16, abi.MEMBER_READONLY)
    r = range(700, 900)
    assert _word(id(r) + 16) == id(r.start)


class SlottedSub(Slotted):
    __slots__ = ("z",)


class SlottedDict:
    __slots__ = ("x", "__dict__")


class SlotShadowed(Slotted):
    __slots__ = ()

    @property
    def x(self):
        return "prop"


class SlotHooked(Slotted):
    __slots__ = ()

    def __setattr__(self, k, v):
        object.__setattr__(self, k, v)


class SlotIntercepting(Slotted):
    __slots__ = ()

    def __getattribute__(self, k):
        return object.__getattribute__(self, k)


class Foreign:
    x = Slotted.__dict__["x"]       # a member of a type Foreign's instances are not of


class StaticShadowed(Slotted):      # (a descriptor holding a type where members do)
    __slots__ = ()
    x = staticmethod(Slotted)


def test_the_filler_caches_slots_members_at_their_offsets():
    def offset(cls, name):
        return _member_def(cls.__dict__[name])[1]
    x, y, z = offset(Slotted, "x"), offset(Slotted, "y"), offset(SlottedSub, "z")
    assert _fill(Slotted(1), "x") == (True, -x) and _fill(Slotted(1), "y", True) == (True, -y)
    assert _fill(SlottedSub(1), "x") == (True, -x) and _fill(SlottedSub(1), "z", True) == (True, -z)
    assert _fill(SlottedDict(), "x", True) == (True, -offset(SlottedDict, "x"))
    assert _fill(SlotHooked(1), "x") == (True, -x)             # only stores are hooked
    assert _fill(range(3), "start") == (True, -16)             # a C type's member
    shadowed = SlotShadowed.__new__(SlotShadowed)
    for obj, name, store in [(SlottedDict(), "__dict__", False), (shadowed, "x", False),
                             (shadowed, "x", True), (SlotHooked(1), "x", True),
                             (SlotIntercepting(1), "x", False), (Foreign(), "x", False),
                             (Foreign(), "x", True), (range(3), "start", True),
                             (StaticShadowed.__new__(StaticShadowed), "x", False),
                             (ValueError(), "__suppress_context__", False),   # a T_BOOL member
                             (functools.partial(max), "func", False)]:        # a T_OBJECT one
        assert _fill(obj, name, store) == (True, -1), (obj, name, store)


def _fill_poly(cache, obj, name, store=False):
    from jit import rtlib
    fill = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.py_object, ctypes.py_object,
                             ctypes.c_bool)(rtlib.symbols()["jit.attr_fill_poly"])
    fill(ctypes.addressof(cache), obj, sys.intern(name), store)
    return [(cache[3 * k], cache[3 * k + 2]) for k in range(rtlib.ATTR_ENTRIES)]


def test_a_site_serves_several_types_then_takes_turns():
    from jit import rtlib
    n = rtlib.ATTR_ENTRIES
    layouts = [type(f"L{i}", (), {"__init__": _setter(["pad"] * i + ["x"])}) for i in range(n + 2)]
    objs = [cls() for cls in layouts]
    cache = (ctypes.c_int64 * (3 * n + 1))()
    for i, o in enumerate(objs[:n]):      # each type its own entry, x at its own index
        entries = _fill_poly(cache, o, "x")
    assert entries == [(id(layouts[i]), i) for i in range(n)]
    _fill_poly(cache, objs[n], "x")        # full: the first entry in turn goes
    _fill_poly(cache, objs[n + 1], "x")    # then the second
    assert [e[0] for e in _fill_poly(cache, objs[2], "x")] == \
        [id(layouts[n]), id(layouts[n + 1])] + [id(c) for c in layouts[2:n]]
    layouts[3].x_class = 1                 # a new version of a type: its own entry again
    assert _fill_poly(cache, objs[3], "x")[3] == (id(layouts[3]), 3)


def _setter(names):
    def __init__(self):
        for i, name in enumerate(names):
            setattr(self, name if name != "pad" else f"pad{i}", i)
    return __init__


def _method_fill(obj, name, cache=None):
    from jit import rtlib
    from runtime import funcobject
    fill = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.py_object, ctypes.py_object,
                             ctypes.py_object)(rtlib.symbols()["jit.method_fill"])
    cache = cache if cache is not None else (ctypes.c_int64 * 4)()
    fill(ctypes.addressof(cache), obj, sys.intern(name), funcobject.compiled_function_type())
    return cache


class WithMethods(Plain):
    def m(self):
        return "m"

    @staticmethod
    def sm():
        return "sm"

    @property
    def prop(self):
        return "prop"


def test_the_method_filler_caches_plain_functions_no_attribute_shadows():
    import jit
    o = WithMethods(1)
    c = _method_fill(o, "m")
    keys = _word(id(WithMethods) + abi.HEAPTYPE_CACHED_KEYS)
    assert c[0] == id(WithMethods) and c[2] == id(WithMethods.__dict__["m"])
    assert c[3] == _word(keys + abi.KEYS_NENTRIES, ctypes.c_int64)
    WithMethods.cm = jit.compile(lambda self: "cm")      # a compiled function counts
    assert _method_fill(o, "cm")[2] == id(WithMethods.__dict__["cm"])
    for obj, name in [(o, "sm"), (o, "prop"), (o, "x"), (o, "nope"), (Slotted(1), "x"),
                      (Hooked(), "x"), (Intercepting(1), "__init__"), (3, "bit_length")]:
        c = _method_fill(obj, name)
        assert c[0] == id(type(obj)) and c[2] == 0, (obj, name)
    o.shadow = 1                 # a name instances hold is never served from the type
    WithMethods.shadow = lambda self: "type's"
    assert _method_fill(WithMethods(2), "shadow")[2] == 0
    assert _method_fill(o, "m")[3] == _word(keys + abi.KEYS_NENTRIES, ctypes.c_int64)


def test_a_method_site_serves_several_types():
    from jit import rtlib
    from runtime import funcobject
    n = rtlib.ATTR_ENTRIES
    fill = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.py_object, ctypes.py_object,
                             ctypes.py_object)(rtlib.symbols()["jit.method_fill_poly"])
    classes = [type(f"M{i}", (WithMethods,), {}) for i in range(n + 1)]
    cache = (ctypes.c_int64 * (4 * n + 1))()
    for cls in classes:
        fill(ctypes.addressof(cache), cls(1), sys.intern("m"), funcobject.compiled_function_type())
    assert [cache[4 * k] for k in range(n)] == [id(classes[n])] + [id(c) for c in classes[1:n]]
    assert all(cache[4 * k + 2] == id(WithMethods.__dict__["m"]) for k in range(n))


def reads(o):
    return o.x, o.y, o.K, o.p


def writes(o, v):
    o.x = v
    o.y = o.x + 1
    return o.x + o.y


def _both(f, *args):
    try:
        return "ok", f(*args)
    except Exception as exc:          # noqa: BLE001 - compared, not hidden
        return type(exc).__name__, str(exc)


def test_reads_and_writes_follow_types_instances_and_descriptors():
    cr, cw = jit.compile(reads), jit.compile(writes)
    objs = [Plain(1), Sub(2), Plain(3), Intercepting(4), Plain(5)]
    for _ in range(3):
        for o in objs:
            assert _both(cr, o) == _both(reads, o)
        for i, o in enumerate(objs):
            assert _both(cw, o, i) == _both(writes, o, i)
    o = Plain(6)
    cr(o)
    o.__dict__                                   # values moved into a real dict
    assert _both(cr, o) == _both(reads, o) and _both(cw, o, 1) == _both(writes, o, 1)
    o = Plain(7)
    cr(o)
    try:
        Plain.y = property(lambda s: "prop", lambda s, v: None)   # a data descriptor wins now
        assert _both(cr, o) == _both(reads, o) and cr(o)[1] == "prop"
        assert _both(cw, o, 3) == _both(writes, o, 3)
    finally:
        del Plain.y
    assert _both(cr, o) == _both(reads, o)
    del o.y                                      # a missing value: the generic AttributeError
    assert _both(cr, o) == _both(reads, o)
    s = Slotted(1)
    assert _both(jit.compile(lambda q: (q.x, q.y)), s) == ("ok", (1, 0))
    h = Hooked()
    assert jit.compile(lambda q: (q.x, q.nope))(h) == (7, "missing:nope")


def test_an_object_that_changes_class_is_read_through_its_new_class():
    class A:
        def __init__(self):
            self.v = 1

    class B:
        @property
        def v(self):
            return "B.v"

    def read(o):
        return o.v

    c = jit.compile(read)
    a = A()
    assert c(a) == 1 and c(a) == 1
    a.__class__ = B
    assert c(a) == "B.v"
    a.__class__ = A
    assert c(a) == 1


def test_replacing_a_value_releases_the_old_one_once():
    class Box:
        def __init__(self):
            self.item = None

    log = []

    class Noisy:
        def __del__(self):
            log.append("freed")

    def put(b, v):
        b.item = v

    c = jit.compile(put)
    b = Box()
    keep = object()
    c(b, keep)
    c(b, Noisy())
    assert log == []
    c(b, keep)                                   # the Noisy object's last reference goes
    assert log == ["freed"]
    gc.collect()
    before = sys.getrefcount(keep)
    for _ in range(1000):
        c(b, keep)
    assert sys.getrefcount(keep) == before


def test_new_attributes_are_stored_in_the_values_in_insertion_order():
    # a store to an attribute the object does not have yet fills its slot and puts
    # its index at the end of the values' insertion order (as the interpreter's
    # STORE_ATTR_INSTANCE_VALUE): vars() order, deletes and re-adds, made dicts
    class Point:
        def __init__(self, a, b, order):
            if order:
                self.y = b
            self.x = a
            if not order:
                self.y = b
            self.z = a + b

    def again(p, v):
        del p.x
        p.x = v
        p.w = v * 2
        return vars(p).copy()

    def run(init, redo):
        out = []
        for i in range(6):
            p = Point.__new__(Point)
            init(p, i, -i, i % 2)
            out.append(list(vars(p).items()))
            out.append(list(redo(p, i + 100).items()))
            out.append(sorted(p.__dict__) == sorted(vars(p)))
        return out

    expected = run(Point.__init__, again)
    init, redo = jit.compile(Point.__init__), jit.compile(again)
    for _ in range(3):
        assert run(init, redo) == expected
    value = object()
    before = sys.getrefcount(value)
    holders = [Point.__new__(Point) for _ in range(200)]
    setter = jit.compile(_set_x)
    for h in holders:
        setter(h, value)           # new on each object: stored in its empty slot
    assert all(vars(h) == {"x": value} for h in holders)
    assert sys.getrefcount(value) == before + len(holders)
    del holders, h
    gc.collect()
    assert sys.getrefcount(value) == before


def _set_x(o, v):
    o.x = v


def _put_x(o, v):
    o.x = v


def _del_x(o):
    del o.x


def _get_x(o):
    return o.x


def test_slots_members_keep_exact_reference_counts():
    # an overwritten member's value is released once (after the store), a store
    # into an unset member releases nothing, a delete releases the value once
    log = []

    class Noisy:
        def __del__(self):
            log.append("freed")

    put, delete, get = jit.compile(_put_x), jit.compile(_del_x), jit.compile(_get_x)
    for cls in (Slotted, SlottedSub, SlottedDict):
        o = cls.__new__(cls)
        keep = object()
        put(o, keep)                          # (unset: the cache filled, generically)
        delete(o)
        put(o, keep)                          # unset: stored inline
        put(o, Noisy())
        assert log == []
        put(o, keep)                          # the Noisy object's last reference goes
        assert log == ["freed"]
        put(o, Noisy())
        delete(o)
        assert log == ["freed"] * 2
        gc.collect()
        before = sys.getrefcount(keep)
        for _ in range(1000):
            put(o, keep)
            assert get(o) is keep
            delete(o)
            put(o, keep)
        assert sys.getrefcount(keep) == before + 1
        del o
        gc.collect()
        assert sys.getrefcount(keep) == before
        log.clear()


def test_an_unset_member_raises_as_the_interpreter_does():
    get, delete = jit.compile(_get_x), jit.compile(_del_x)
    for i in range(3):
        o = Slotted(i)
        assert get(o) == i          # (the sites' caches filled: they raise unfilled)
        delete(o)
        with pytest.raises(AttributeError) as got:
            get(o)
        with pytest.raises(AttributeError) as want:
            _get_x(o)
        assert (str(got.value), got.value.name, got.value.obj) == \
            (str(want.value), want.value.name, want.value.obj) == \
            ("'Slotted' object has no attribute 'x'", "x", o)
        with pytest.raises(AttributeError) as got:
            delete(o)
        assert got.value.args == ("x",)


def test_slots_follow_class_changes():
    class A:
        __slots__ = ("x", "y")

    class B:                   # A's layout (members lie in sorted order)
        __slots__ = ("y", "x")

    class C(A):                # A's layout, x a property
        __slots__ = ()
        x = property(lambda s: "C.x")

    get, put = jit.compile(_get_x), jit.compile(_put_x)
    o = A()
    put(o, 1)
    put(o, 2)
    assert get(o) == 2 and get(o) == 2
    o.__class__ = C
    assert get(o) == "C.x"
    with pytest.raises(AttributeError, match="has no setter"):
        put(o, 0)
    o.__class__ = B
    assert get(o) == 2
    put(o, 3)
    assert get(o) == 3
    saved = A.x
    o.__class__ = A
    A.x = property(lambda s: "prop")       # a new version of A: the property wins
    try:
        assert get(o) == "prop"
        with pytest.raises(AttributeError):
            put(o, 4)
    finally:
        A.x = saved
    assert get(o) == 3
