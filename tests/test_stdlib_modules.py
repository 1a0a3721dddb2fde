"""Real code: every function and method of pure-Python standard-library modules is
compiled (in a private copy of the module), and a workload, errors included, gives
the same results and exceptions as the original module, call after call (so the
specialised code and its deopts run too)."""
import importlib.util
import types

import pytest

import jit


def _copy_of(name: str, compiled: bool):
    spec = importlib.util.find_spec(name)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    made = []
    if compiled:
        for key, value in list(vars(mod).items()):
            if isinstance(value, types.FunctionType) and value.__module__ == mod.__name__:
                made.append(jit.compile(value))
                setattr(mod, key, made[-1])
            elif isinstance(value, type) and value.__module__ == mod.__name__:
                for attr, member in list(vars(value).items()):
                    if isinstance(member, types.FunctionType):
                        made.append(jit.compile(member))
                        setattr(value, attr, made[-1])
        # all but generators (which run in the interpreter) are native code
        plain = [f for f in made if not f.__wrapped__.__code__.co_flags & 0x20]
        assert plain and all("compiled to native code" in jit.explain(f) for f in plain)
    return mod


def _outcome(work, mod):
    try:
        return "ok", repr(work(mod))
    except BaseException as e:      # (argparse's error exits)
        return "raised", type(e).__name__, str(e)


WORKLOADS = {
    "textwrap": lambda m: [m.wrap("The quick brown fox jumps over the lazy dog " * 5, 17),
                           m.fill("a b c d e f g " * 4, width=9, initial_indent="> "),
                           m.dedent("   x\n   y\n     z"), m.shorten("Hello  world! How?", width=12)],
    "colorsys": lambda m: [m.rgb_to_hsv(0.2, 0.4, 0.4), m.hsv_to_rgb(0.5, 0.5, 0.4),
                           m.rgb_to_hls(1, 0.5, 0), m.hls_to_rgb(0.3, 0.5, 0.5)],
    "fractions": lambda m: [m.Fraction(3, 4) + m.Fraction(5, 6),
                            m.Fraction("3.1415").limit_denominator(100), m.Fraction(7, 3) ** 3,
                            m.Fraction(1, 3) < 0.34, round(m.Fraction(7, 2)),
                            m.Fraction(-7, 3) % 2, m.Fraction(0.1), str(m.Fraction(6, -4))],
    "statistics": lambda m: [m.mean([1, 2, 3, 4.5]), m.median([3, 1, 4, 1, 5]),
                             m.stdev([1.5, 2.5, 2.5, 2.75, 3.25, 4.75]), m.mode([1, 1, 2, 3]),
                             m.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9], n=4)],
    "shlex": lambda m: [m.split("a 'b c' \"d e\" f\\ g"), m.quote("it's"), m.join(["a", "b c"])],
    "difflib": lambda m: [list(m.unified_diff(["a\n", "b\n", "c\n"], ["a\n", "c\n", "d\n"])),
                          m.SequenceMatcher(None, "abcd", "bcde").ratio(),
                          m.get_close_matches("appel", ["ape", "apple", "peach"])],
    "calendar": lambda m: [m.monthrange(2024, 2), m.isleap(1900),
                           m.TextCalendar().formatmonth(2026, 12)],
    "ipaddress": lambda m: [str(m.ip_address("192.168.1.1") + 5),
                            list(m.ip_network("10.0.0.0/30").hosts()),
                            m.ip_network("2001:db8::/126").num_addresses,
                            m.ip_interface("1.2.3.4/24").network],
    "json.encoder": lambda m: [m.JSONEncoder(indent=2, sort_keys=True).encode(
        {"b": [1, 2.5, None, True], "a": "x\u00e9"})],
    "json.decoder": lambda m: [m.JSONDecoder().decode('{"a": [1, 2.5, null, true, "x\\u00e9"]}')],
    "urllib.parse": lambda m: [m.urlparse("http://u:p@h:8/p;q?x=1#f"), m.quote("a b&c"),
                               m.urlencode({"a": 1, "b": "x y"}), m.parse_qs("a=1&a=2&b=3")],
    "enum": lambda m: [list(m.Enum("C", "R G B")), m.IntFlag("F", "A B C")(3)],
    "tomllib._parser": lambda m: [m.loads('a = 1\n[b]\nc = [1, 2.5, "x"]\nd = {e = true}\n'
                                          'f = 1979-05-27T07:32:00Z\n')],
    "argparse": lambda m: [vars(_parser(m).parse_args(["-v", "--n", "3", "x", "y"])),
                           _parser(m).format_help()],
    "configparser": lambda m: _config(m),
    "random": lambda m: _shuffled(m),
    "re._parser": lambda m: [str(m.parse(r"(?P<x>a|b)+\d{2,3}[^xyz]"))],
    "tomllib._parser#syntax": lambda m: m.loads("a = \n"),
    "argparse#exit": lambda m: _parser(m).parse_args(["--n", "q"]),
    "fractions#zero": lambda m: m.Fraction(1, 0),
    "fractions#syntax": lambda m: m.Fraction("1/x"),
    "ipaddress#range": lambda m: m.ip_address("300.1.1.1"),
    "ipaddress#hostbits": lambda m: m.ip_network("10.0.0.1/24"),
    "json.decoder#syntax": lambda m: m.JSONDecoder().decode('{"a": [1, 2,, ]}'),
    "statistics#empty": lambda m: m.mean([]),
    "calendar#month": lambda m: m.monthrange(2024, 13),
    "shlex#quote": lambda m: m.split("a 'b"),
}


def _parser(m):
    p = m.ArgumentParser(prog="p", description="demo")
    p.add_argument("-v", action="store_true")
    p.add_argument("--n", type=int, default=1)
    p.add_argument("rest", nargs="*")
    return p


def _config(m):
    c = m.ConfigParser()
    c.read_string("[s]\na = 1\nb = %(a)s2\n[t]\nx: yes\n")
    return c.getint("s", "a"), c.getboolean("t", "x"), sorted(c.sections()), dict(c["s"])


def _shuffled(m):
    r = m.Random(42)
    xs = list(range(10))
    r.shuffle(xs)
    return xs, r.choice("abc"), r.sample(range(100), 3), r.randint(1, 6), r.gauss(0, 1)


@pytest.mark.parametrize("case", sorted(WORKLOADS))
def test_compiled_module_behaves_as_the_original(case):
    name = case.split("#")[0]
    work = WORKLOADS[case]
    original, compiled = _copy_of(name, False), _copy_of(name, True)
    expected = [_outcome(work, original) for _ in range(3)]
    assert [_outcome(work, compiled) for _ in range(3)] == expected
