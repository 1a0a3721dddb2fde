"""Inline str paths (== and != of two strs, indexing and iterating an ASCII str:
the interpreter's one-character strings) must agree with the interpreter for every
kind of string, and the comparison lent to a truth test must release what a
generic __eq__ made."""
import gc
import itertools
import sys

import jit

STRS = ["", "a", "b", "ab", "abc", "abd", "a\x00", "a\x00b", "\u00e9", "\u00e8", "\u00e9a",
        "\u1234", "\u1235", "\U0001f600", "\U0001f601", "a" * 100, "a" * 99 + "b",
        "".join(["a", "b"]), "".join(["\u00e9", "a"]), str(12)]


class Str(str):
    """A str subclass (never the inline path) whose == says the opposite."""
    def __eq__(self, other):
        return not str(self) == other

    __hash__ = str.__hash__


OTHERS = [1, 1.0, float("nan"), None, b"a", Str("a"), Str("b")]


def compare(a, b):
    return a == b, a != b


def branch(a, b):
    n = 0
    if a == b:
        n += 1
    if a != b:
        n += 2
    if not a == b:
        n += 4
    return n


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except Exception as e:
        return "exc", type(e), str(e)


def test_equality_of_every_kind_of_string():
    cc, cb = jit.compile(compare, fallback=False), jit.compile(branch, fallback=False)
    for a, b in itertools.product(STRS + OTHERS, STRS + OTHERS):
        assert _outcome(compare, a, b) == _outcome(cc, a, b), (a, b)
        assert _outcome(branch, a, b) == _outcome(cb, a, b), (a, b)
    nan = float("nan")
    assert cc(nan, nan) == compare(nan, nan) and cb(nan, nan) == branch(nan, nan)
    s = Str("x")
    assert cc(s, s) == compare(s, s) and cb(s, s) == branch(s, s)


def index(s, i):
    return s[i]


def test_indexing_a_string():
    ci = jit.compile(index, fallback=False)
    for s in STRS + ["hello world"]:
        for i in range(-len(s) - 3, len(s) + 3):
            want, got = _outcome(index, s, i), _outcome(ci, s, i)
            assert want == got, (s, i)
            if want[0] == "ok" and want[1].isascii():
                assert got[1] is want[1]        # the interpreter's own character
    for obj in ([1, 2, 3], (1, 2), b"abc", bytearray(b"xy"), {0: "z"}, range(5)):
        assert _outcome(index, obj, 0) == _outcome(ci, obj, 0)


def palindromic_pairs(s):
    n = 0
    for j in range(len(s)):
        if s[j] == s[-j - 1]:
            n += 1
    return n


def count_chars(s, ch):
    n = 0
    seen = []
    for c in s:
        if c == ch:
            n += 1
        seen.append(c)
    return n, "".join(seen)


def test_loops_over_strings():
    cp = jit.compile(palindromic_pairs, fallback=False)
    cc = jit.compile(count_chars, fallback=False)
    for s in STRS + ["racecar", "abcba" * 7, "h\u00e9llo w\u00f6rld", "x\U0001f600x"]:
        assert cp(s) == palindromic_pairs(s), s
        for ch in ("a", "\u00e9", "x", ""):
            assert cc(s, ch) == count_chars(s, ch), (s, ch)
    # the iterator works on: a str subclass, a list, a generator
    for seq in (Str("abca"), list("abca"), (c for c in "abca")):
        assert cc(seq, "a") == (2, "abca")


class Verdict:
    """What a rich comparison may return: any object, tested for truth."""
    alive = 0

    def __init__(self, value):
        self.value = value
        Verdict.alive += 1

    def __bool__(self):
        return self.value

    def __del__(self):
        Verdict.alive -= 1


class Odd:
    def __eq__(self, other):
        if other == "raise":
            raise ValueError("no comparing")
        return Verdict(other == "yes")

    __hash__ = object.__hash__


def test_lent_comparison_releases_a_generic_result():
    cb = jit.compile(branch, fallback=False)
    odd = Odd()
    for _ in range(3):
        assert cb(odd, "yes") == branch(odd, "yes")
        assert cb(odd, "no") == branch(odd, "no")
    gc.collect()
    assert Verdict.alive == 0
    assert _outcome(cb, odd, "raise") == _outcome(branch, odd, "raise")


def test_string_loops_leak_nothing():
    cc = jit.compile(count_chars, fallback=False)
    text = "".join(["abc"] * 50)
    key = "".join(["b"])
    cc(text, key)
    before = sys.getrefcount(text), sys.getrefcount(key)
    for _ in range(100):
        cc(text, key)
    assert (sys.getrefcount(text), sys.getrefcount(key)) == before


class _Shown:
    def __str__(self):
        return "shown"


class _Broken:
    def __str__(self):
        raise ValueError("no text")


class _Sub(str):
    pass


def _strs(xs):
    out = []
    for x in xs:
        try:
            out.append((str(x), type(str(x)).__name__))
        except ValueError as e:
            out.append(("error", str(e)))
    return out


def test_str_of_one_argument_is_pyobject_str():
    # str(x) in generic code: what str's constructor does with one argument
    import jit
    xs = [1, 2.5, None, "s", _Sub("sub"), _Shown(), _Broken(), b"b", [1, (2,)], 10**30]
    c = jit.compile(_strs)
    for _ in range(3):
        assert c(xs) == _strs(xs)
