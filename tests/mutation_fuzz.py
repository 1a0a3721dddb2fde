"""Compile (and run, with a time limit) randomly mutated code objects.

Run as a script in a subprocess by tests/test_robustness.py: whatever the
mutation, the process must not die. Prints a summary line at the end.
"""
import random
import signal
import sys

import os

import jit

DUMP = os.environ.get("JIT_MUTATION_DUMP")   # file naming the program about to run


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def corpus():
    def arith(a, b):
        c = a * b + 3
        return c // 2 - a % 3

    def loops(n):
        s = 0
        for i in range(n):
            if i % 2:
                continue
            s += i
        while s > 100:
            s -= 7
        return s

    def containers(x):
        d = {"a": x, "b": [x, x]}
        t = (x, *d["b"])
        a, *rest = t
        return {k: v for k, v in d.items()}, rest, [y for y in t if y]

    def excs(x):
        try:
            return 1 / x
        except ZeroDivisionError as e:
            return str(e)
        finally:
            x = None

    def closures(x):
        y = x

        def inner(z):
            nonlocal y
            y += z
            return y
        return inner(1), (lambda q: q + y)(2)

    def strings(s):
        return f"{s!r:>8}|{len(s)}", s.upper(), s[::-1], s.split(",")

    def withs(x):
        class CM:
            def __enter__(self):
                return x

            def __exit__(self, *a):
                return True
        with CM() as v:
            v = v + 1
            raise ValueError(v)
        return v

    def matching(x):
        match x:
            case [a, b]:
                return a + b
            case {"k": v}:
                return v
            case int(n) if n > 2:
                return n
            case _:
                return None
    return [(arith, (3, 4)), (loops, (20,)), (containers, (2,)), (excs, (0,)),
            (closures, (1,)), (strings, ("a,b",)), (withs, (1,)), (matching, ([1, 2],))]


def mutate(code, rng):
    raw = bytearray(code.co_code)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(raw))
        how = rng.random()
        if how < 0.5:
            raw[i] = rng.randrange(256)
        elif how < 0.8 and i % 2 == 1:
            raw[i] = (raw[i] + rng.choice((-2, -1, 1, 2))) % 256
        else:
            j = rng.randrange(0, len(raw), 2)
            k = rng.randrange(0, len(raw), 2)
            raw[j:j + 2], raw[k:k + 2] = raw[k:k + 2], raw[j:j + 2]
    return code.replace(co_code=bytes(raw))


def main(n, seed):
    rng = random.Random(seed)
    signal.signal(signal.SIGALRM, _alarm)
    stats = {"rejected": 0, "compiled": 0, "ran": 0, "raised": 0, "timeout": 0}
    funcs = corpus()
    for _ in range(n):
        func, args = rng.choice(funcs)
        try:
            bad = mutate(func.__code__, rng)
            f = type(func)(bad, func.__globals__, func.__name__, func.__defaults__,
                           func.__closure__)
        except (ValueError, TypeError):
            stats["rejected"] += 1
            continue
        try:
            g = jit.compile(f, fallback=False)
        except jit.CompileError:
            stats["rejected"] += 1
            continue
        stats["compiled"] += 1
        if DUMP:
            with open(DUMP, "w") as fh:
                fh.write(f"{func.__name__}\n{bad.co_code!r}\n")
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        try:
            g(*args)
            stats["ran"] += 1
        except Timeout:
            stats["timeout"] += 1
        except BaseException:
            stats["raised"] += 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    print("mutation-fuzz", " ".join(f"{k}={v}" for k, v in stats.items()), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
