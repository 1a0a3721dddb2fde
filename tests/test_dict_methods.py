"""``d.get(k[, default])`` on an exact dict is the dict's lookup, natively; it must
act as dict.get does (hash errors, the default's identity, None), and anything that
is not an exact dict calls its own method."""
import jit


def counts(words):
    d = {}
    for w in words:
        d[w] = d.get(w, 0) + 1
    return d


def lookups(d, keys):
    out = []
    for k in keys:
        out.append(d.get(k))
        out.append(d.get(k, "missing"))
    return out


class Odd(dict):
    def get(self, k, default=None):
        return ("odd", k, default)


class BadHash:
    def __hash__(self):
        raise ValueError("no hash for you")


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except Exception as e:
        return "exc", type(e), str(e)


def test_counting_words():
    c = jit.compile(counts)
    words = "the cat and the hat and the bat".split() * 3
    assert c(words) == counts(words)
    assert "dict_get_call" in str(
        __import__("jit.__main__", fromlist=["show"]).show(counts.__code__, "spec", (words,)))
    assert _outcome(c, [1, 2.0, 1, True, (1, 2)]) == _outcome(counts, [1, 2.0, 1, True, (1, 2)])
    assert _outcome(c, [[1]]) == _outcome(counts, [[1]])          # unhashable
    assert _outcome(c, [BadHash()]) == _outcome(counts, [BadHash()])


def test_lookups_on_dicts_and_others():
    c = jit.compile(lookups)
    keys = ["a", "b", 3, 3.0, None, (1,)]
    for d in ({"a": 1, 3: "three", None: 0}, {}, Odd(a=2), {(1,): [1]}):
        assert _outcome(c, d, keys) == _outcome(lookups, d, keys), d
    assert _outcome(c, {"a": 1}, [[]]) == _outcome(lookups, {"a": 1}, [[]])
    assert _outcome(c, {"a": 1}, [BadHash()]) == _outcome(lookups, {"a": 1}, [BadHash()])
    sentinel = object()
    assert jit.compile(lambda d, k: d.get(k, sentinel))({}, 1) is sentinel
