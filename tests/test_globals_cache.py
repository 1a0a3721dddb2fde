"""Global loads after a store to the globals dict: found again through the entry's
index (as 3.11's LOAD_GLOBAL_MODULE does) instead of a full lookup, and never
wrong when the entry moved, was deleted or the dict stopped being str-keyed."""
import sys

import pytest

import jit

SOURCE = '''
G = 0
K = 100003
def bump(n):
    global G
    for i in range(n):
        G += i + K
    return G

def helper(x):
    return x * 2

def store_and_call(n):
    global G
    s = 0
    for i in range(n):
        G = i
        s += helper(i)
    return s

def calls(n):
    s = 0
    for i in range(n):
        s += helper(i)
    return s

def read(n):
    s = 0
    for i in range(n):
        s += G
    return s
'''


def module():
    ns = {"__name__": "globals_cache_case"}
    exec(SOURCE, ns)
    return ns


def run_both(name, *args, prepare=None):
    """(interpreted result, compiled result) on two fresh copies of the module."""
    out = []
    for compiled in (False, True):
        ns = module()
        f = jit.compile(ns[name]) if compiled else ns[name]
        if prepare:
            prepare(ns, f)
        out.append((f(*args), ns["G"]))
    return out


def test_stores_in_the_loop_keep_results_exact():
    for name, n in (("bump", 1000), ("store_and_call", 1000)):
        a, b = run_both(name, n)
        assert a == b


def test_an_entry_moved_by_a_resize_is_not_read_through_a_stale_index():
    for compiled in (False, True):
        ns = module()
        ns["A"] = 1
        ns["G"] = 7          # after A: its index shifts when A's entry is compacted away
        f = jit.compile(ns["read"]) if compiled else ns["read"]
        for _ in range(3):
            assert f(10) == 70
        del ns["A"]
        for i in range(200):       # grow the table: the resize compacts the entries
            ns[f"x{i}"] = i
        ns["G"] = 3
        assert f(10) == 30
        ns["Z"] = 0
        assert f(10) == 30


def test_a_deleted_and_rebound_global():
    for compiled in (False, True):
        ns = module()
        f = jit.compile(ns["read"]) if compiled else ns["read"]
        assert f(4) == 0
        ns["G"] = 2
        assert f(4) == 8
        del ns["G"]
        with pytest.raises(NameError, match="name 'G' is not defined"):
            f(4)
        ns["G"] = 5
        assert f(4) == 20


def test_a_globals_dict_with_a_non_str_key():
    for compiled in (False, True):
        ns = module()
        f = jit.compile(ns["bump"]) if compiled else ns["bump"]
        assert f(10) == sum(i + 100003 for i in range(10))
        ns[1] = "not a name"           # the table is no longer str-keyed
        ns["K"] = 1
        assert f(10) == sum(i + 100003 for i in range(10)) + sum(i + 1 for i in range(10))


def test_a_rebound_callee_after_stores():
    """The callee's check finds the new function at the entry: it deoptimises, and
    keeps doing so on every later call (the cache must not take the new versions
    as a confirmation of the old callee)."""
    ns = module()
    f = jit.compile(ns["store_and_call"])
    ns["helper"] = jit.compile(ns["helper"])
    for _ in range(3):
        assert f(50) == sum(i * 2 for i in range(50))
    ns["helper"] = lambda x: x + 1
    for _ in range(4):
        assert f(50) == sum(i + 1 for i in range(50))
    assert ns["G"] == 49
    ns["helper"] = lambda x: x + 3
    assert f(50) == sum(i + 3 for i in range(50))
    # without stores of its own: the versions stay put after the check that failed
    ns = module()
    f = jit.compile(ns["calls"])
    ns["helper"] = jit.compile(ns["helper"])
    for _ in range(3):
        assert f(30) == sum(i * 2 for i in range(30))
    ns["helper"] = lambda x: x - 1
    for _ in range(4):
        assert f(30) == sum(i - 1 for i in range(30))


def test_a_global_the_code_rebinds_is_not_taken_for_a_constant():
    """K (never stored) folds into the code; G (stored in the loop) is loaded each
    time instead of guessed constant, which deoptimised every call."""
    from runtime import funcobject
    ns = module()
    f = jit.compile(ns["bump"])
    for _ in range(20):
        ns["G"] = 0
        assert f(10) == sum(i + 100003 for i in range(10))
    d = funcobject.get_state(f).dispatcher
    assert d.deopt_count == 0
    text = str(d.rows[0][1].native.ir)
    assert "name='K'" in text and "repr='100003'" in text
    assert "name='G' name_index=1 expect" not in text


def test_no_leaks():
    ns = module()
    f = jit.compile(ns["store_and_call"])
    g = jit.compile(ns["bump"])
    helper = ns["helper"]
    for _ in range(3):
        f(20), g(20)
    ns["G"] = 0
    before = sys.getrefcount(helper), sys.getrefcount(ns["K"])
    for _ in range(100):
        f(20)
        ns["G"] = 0
        g(20)
    ns["G"] = 0
    assert (sys.getrefcount(helper), sys.getrefcount(ns["K"])) == before
