"""raise and except in compiled code keep reference counts exact on every path
(lower.lo_raise, lower.lo_check_exc_match): a leaked exception keeps a reference to
its class, a leaked operand or cause to itself. Traceback entries are filled in
natively (jit.tb_here): the layout it writes is checked on a live one."""
import ctypes
import sys

import pytest

import jit
from runtime import abi


class Counted(Exception):
    pass


class InitFails(Exception):
    def __init__(self):
        raise OSError("in __init__")


class Plain:
    pass


class MakesPlain(Exception):
    def __new__(cls, *args):
        return Plain()


class NewMakesOther(Exception):
    def __new__(cls, *args):
        return Counted("other") if not args else Exception.__new__(cls, *args)


def raise_paths(k, obj, cause):
    """One raise per path, each caught; ``obj``/``cause`` are objects to raise."""
    try:
        if k == 0:
            raise Counted
        if k == 1:
            raise obj
        if k == 2:
            raise obj from cause
        if k == 3:
            raise Counted from cause
        if k == 4:
            raise Counted from None
        if k == 5:
            raise InitFails
        if k == 6:
            raise MakesPlain
        if k == 7:
            raise Plain()          # not an exception
        if k == 8:
            raise obj from Plain()  # a cause that is not one
        if k == 9:
            raise obj from InitFails
        if k == 10:
            raise NewMakesOther
        raise Counted from Counted
    except Exception as e:
        return type(e)


def except_paths(k, obj, types):
    try:
        try:
            raise obj
        except types:
            return 1
        except (KeyError, Counted):
            return 2
    except TypeError:
        return 3


def bare_reraise(obj):
    try:
        try:
            raise obj
        except Counted:
            raise
    except Counted:
        return 1


def _refs(objs):
    return [sys.getrefcount(o) for o in objs]


@pytest.mark.parametrize("k", range(12))
def test_raise_paths_release_everything(k):
    g = jit.compile(raise_paths, fallback=False)
    obj, cause = Counted("o"), Counted("c")
    watched = [Counted, InitFails, Plain, MakesPlain, NewMakesOther, obj, cause, OSError, TypeError]
    expected = raise_paths(k, obj, cause)
    assert g(k, obj, cause) is expected
    before = _refs(watched)
    for _ in range(100):
        g(k, obj, cause)
    assert _refs(watched) == before


@pytest.mark.parametrize("types", [Counted, (ValueError, Counted), (ValueError, (Counted,)),
                                   (ValueError, Plain()), KeyError, Plain(), ()],
                         ids=["class", "tuple", "nested", "bad-item", "no-match", "bad", "empty"])
def test_except_paths_release_everything(types):
    g = jit.compile(except_paths, fallback=False)
    obj = Counted("o")
    watched = [Counted, obj, types, ValueError, KeyError, TypeError]
    assert g(0, obj, types) == except_paths(0, obj, types)
    before = _refs(watched)
    for _ in range(100):
        g(0, obj, types)
    assert _refs(watched) == before


def test_bare_reraise_releases_everything():
    g = jit.compile(bare_reraise, fallback=False)
    obj = Counted("o")
    g(obj)
    before = _refs([Counted, obj])
    for _ in range(100):
        g(obj)
    assert _refs([Counted, obj]) == before


def test_traceback_layout_holds_for_this_interpreter():
    def inner():
        raise KeyError

    try:
        inner()
    except KeyError as e:
        tb = e.__traceback__
    words = (ctypes.c_void_p * 2).from_address(id(tb) + abi.TB_NEXT)
    ints = (ctypes.c_int * 2).from_address(id(tb) + abi.TB_LASTI)
    assert (words[0], words[1]) == (id(tb.tb_next), id(tb.tb_frame))
    assert ints[0] == tb.tb_lasti
    assert ints[1] in (tb.tb_lineno, -1)     # (-1: the interpreter's, found when read)
    made = jit.compile(inner, fallback=False)
    try:
        made()
    except KeyError as e:
        tb = e.__traceback__.tb_next
    ints = (ctypes.c_int * 2).from_address(id(tb) + abi.TB_LASTI)
    assert (ints[0], ints[1]) == (tb.tb_lasti, tb.tb_lineno)


def _lasti_inner(x):
    return [][x]


class _LastiK:
    def m(self, x):
        return [][x]

    def __init__(self, x=None):
        if x == "boom":
            [][0]


def lasti_global(a):
    return _lasti_inner(a)


def lasti_method(k, a):
    return k.m(a)


def lasti_bound(k, a):
    f = k.m
    return f(a)


def lasti_builtin(a):
    return int(a)


def lasti_class(a):
    return _LastiK(a)


def lasti_kw(a):
    return _lasti_inner(x=a)


def lasti_lambda(a):
    g = lambda y: [][y]      # noqa: E731
    return g(a)


def lasti_reraise(a):
    try:
        return _lasti_inner(a)
    except IndexError:
        raise


@pytest.mark.parametrize("fn,args", [
    (lasti_global, (1,)), (lasti_global, ("s",)), (lasti_method, (_LastiK(), 1)),
    (lasti_bound, (_LastiK(), 2)), (lasti_builtin, ("x",)), (lasti_class, ("boom",)),
    (lasti_kw, (3,)), (lasti_lambda, (4,)), (lasti_reraise, (5,))])
def test_tb_lasti_of_a_call_that_raised_is_the_interpreters(fn, args):
    """A Python function the interpreter calls gets its frame pushed inline, past the
    call's caches, which is where the caller's traceback entry then stands; anything
    else (a builtin, a class) is called from the call instruction itself."""
    def entry(f):
        try:
            f(*args)
        except Exception as e:
            tb = e.__traceback__.tb_next
            return type(e).__name__, tb.tb_frame.f_code.co_name, tb.tb_lasti, tb.tb_lineno
    expected = entry(fn)
    c = jit.compile(fn)
    assert entry(c) == expected and entry(c) == expected     # (generic, then specialised)
