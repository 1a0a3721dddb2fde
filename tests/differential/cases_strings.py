"""f-strings (conversions, format specs, nested), string and bytes operations."""
from .harness import case


class Fmt:
    def __format__(self, spec):
        return f"<Fmt {spec!r}>"

    def __repr__(self):
        return "Fmt()"

    def __str__(self):
        return "str-of-Fmt"


class BadFmt:
    def __format__(self, spec):
        return 5


@case((1, "x"), (2.5, "héllo"), (None, ""), ([1, "a"], "q'uote"), (Fmt(), Fmt()))
def fstring_conversions(a, b):
    return f"{a}", f"{a!r}", f"{a!s}", f"{b!a}", f"[{a}|{b}]", f"{a!r:>12}", f"{b=}", f"{a = !s}"


@case((3.14159, 10, 2), (-2.5, 8, 0), (12345.678, 12, 3), (float("nan"), 6, 1), (-0.0, 5, 1))
def fstring_nested_spec(x, w, p):
    return f"{x:{w}.{p}f}", f"{x:>{w}}", f"{x:<{w}.{p}e}", f"{x:^{w}}|", f"{x:+.{p}%}", f"{x:{'*'}^{w}}"


@case((255,), (-7,), (0,), (2 ** 70,), (True,))
def fstring_int_specs(n):
    return (f"{n:x}", f"{n:#X}", f"{n:o}", f"{n:b}", f"{n:08d}", f"{n:,}", f"{n:_}", f"{n:+}",
            f"{n:e}", f"{n:c}" if 0 <= n < 1000 else "", f"{n:=+10}", f"{n:%}")


@case(("abc",), ("",), ("a longer string",))
def fstring_str_specs(s):
    return f"{s:10}|", f"{s:>10}|", f"{s:^9}|", f"{s:.2}|", f"{s!r:<8}|", f"{{literal}} {s}"


@case((1, 2), ("a", "b"))
def fstring_expressions(a, b):
    d = {"k": a}
    return (f"{a + b}", f"{d['k']}", f"{[a, b]}", f"{(lambda: a)()}", f"{a if a else b}",
            f"{f'{a}-{b}'}", f"{'nested ' + f'{b!r}'}", f"{a}{b}{a}{b}", f"plain", f"{ {a: b} }")


@case((Fmt(),), (BadFmt(),), (object,))
def fstring_user_format(o):
    return f"{o}", f"{o:spec}", f"{o!s:>20}"


@case(("x", 5), (3, "d"), (2.5, "q"))
def fstring_bad_spec(v, spec):
    return f"{v:{spec}}"


@case(("Hello World",), ("",), ("  padded\t",), ("ÀÉÎ straße",))
def str_methods(s):
    return (s.upper(), s.lower(), s.title(), s.swapcase(), s.casefold(), s.strip(), s.split(), s.split("o", 1),
            s.rsplit(None, 1), s.partition(" "), s.replace("l", "L", 2), s.count("l"), s.find("z"),
            s.rfind("o"), s.startswith(("H", "x")), s.endswith("d"), s.isalpha(), s.isspace(),
            s.center(20, "-"), s.ljust(3), s.zfill(15), s.expandtabs(4), s.encode("utf-8"),
            s[::-1], len(s), s.removeprefix("He"), s.removesuffix("ld"), s.splitlines(), s.isidentifier())


@case((["a", "b", "c"], ", "), ([], "-"), (["x"], ""), ([1, 2], ","))
def str_join(parts, sep):
    return sep.join(parts)


@case(("abc", "abd"), ("", "a"), ("B", "a"))
def str_compare_concat(a, b):
    s = a
    s += b
    s += "!"
    return a < b, a + b, s, a * 3, min(a, b), sorted([b, a, "m"])


@case(("hello", 1), ("hello", -1), ("hi", 10), ("hi", "x"))
def str_index(s, i):
    return s[i]


@case((b"bytes",), (bytearray(b"ba"),))
def bytes_ops(b):
    return (b + b"!", b * 2, b[0], b[1:], b.upper(), b.decode(), list(b), b.hex(), bytes(b) == b"bytes",
            b.find(b"t"), b"%d-%s" % (1, b"x"), len(b), type(b[:1]))


@case(("{} and {}", (1, 2)), ("{0}{1}{0}", ("a", "b")), ("{x:>4}", ()), ("{:d}", ("s",)), ("{", ()),
      ("{0.real}", (3,)), ("{0[1]}", ([5, 6],)))
def str_format_method(fmt, args):
    return fmt.format(*args, x="k")


@case(("3",), ("abc",), ("",))
def str_conversions(s):
    return str(s), repr(s), ascii(s + "é"), s.isdigit(), s.isnumeric(), list(s), tuple(s), set(s) == set(s), \
        str(1.0), str(-0.0), str(1e100), repr(0.1), str([s]), str({"k": s}), str(None), str(b"x")


@case(("The quick brown fox",))
def string_building_loop(s):
    out = ""
    for w in s.split():
        out += w[0].upper() + w[1:].lower() + "_"
    parts = []
    for i, ch in enumerate(s):
        if ch == " ":
            parts.append(str(i))
    return out, "|".join(parts), out.count("_")


@case(())
def multiline_and_raw():
    a = """line1
line2"""
    b = r"\n\t raw"
    c = "tab\there\nnewline\\"
    d = "\N{GREEK SMALL LETTER ALPHA}\u00e9\x41\101"
    e = ("implicit " "concat " f"{1 + 1}")
    return a, b, c, d, e, len(c)


@case((42, "name", 3.5))
def percent_formatting(n, s, f):
    return "%d %s %.2f" % (n, s, f), "%5s|%-5s|" % (s, s), "%x %X %o %e %g" % (n, n, n, f, f), "%r" % s, \
        "%(a)s-%(b)d" % {"a": s, "b": n}, "%%" % (), "%s" % [n]


# s += t / s = s + t stored back into s: two exact strs are appended in place when
# the local holds the only reference (as the interpreter's specialised BINARY_OP
# does); a string held elsewhere, hashed, interned (a constant), the same object
# on both sides, a subclass, or a non-str operand is left alone and copied
class StrSub(str):
    pass


@case((0, "ab"), (3, "é"), (40, "x"), (25, "€"), (12, "\U0001F600"), (5, StrSub("s")), (3, 7),
      (6, ""))
def str_concat_in_place(n, piece):
    s = ""
    kept = []
    t = "pre"
    for i in range(n):
        s += piece
        t = t + str(i)
        if i % 4 == 1:
            kept.append(s)          # held elsewhere too: copied, kept unchanged
        if i % 5 == 2:
            {s: 1}                  # hashed: not resizable
        u = "const"
        u += "ant"                  # a constant's string: never changed
        if i == 3:
            s += s                  # both operands one object
    return s, t, kept, u, "const", type(s).__name__


@case(("abc", "d"), (StrSub("abc"), "d"), ("abc", StrSub("d")), ("abc", 5), ("é", "x"))
def str_concat_argument(s, piece):
    # an argument's string is the caller's too: a new string, the caller's unchanged
    for _ in range(3):
        s += piece
    return s


@case((300_000,), (10,))
def str_concat_itself(n):
    # (a long one: resizing it moves it, and the right operand would then be gone)
    s = "x" * n
    moved = []
    for _ in range(3):
        before = id(s)
        s += s                  # a new string (made while the old one lives)
        moved.append(id(s) != before)
    return len(s), s[-3:], moved
