"""Generators and async functions: the only code allowed to fall back.

These cases compile with the default ``fallback=True`` and check the result
still behaves exactly like the original; ``tests/test_differential.py`` checks
that ``fallback=False`` raises ``jit.UnsupportedError`` for them.
"""
import types

from .harness import case


def drive(coro):
    """Run a coroutine that never really suspends (no event loop needed)."""
    trace = []
    try:
        while True:
            trace.append(coro.send(None))
    except StopIteration as e:
        return e.value, trace


def collect_agen(agen):
    async def runner():
        return [x async for x in agen]
    return drive(runner())[0]


GEN_OPTS = dict(fallback=True, consume=list)


@case((3,), (0,), **GEN_OPTS)
def gen_simple(n):
    for i in range(n):
        yield i * i


@case((3,), **GEN_OPTS)
def gen_yield_from(n):
    yield "start"
    r = yield from gen_returning(n)
    yield ("returned", r)


def gen_returning(n):
    for i in range(n):
        yield i
    return "done"


@case((2,), **GEN_OPTS)
def gen_with_try_finally(n):
    try:
        for i in range(n):
            yield i
        raise ValueError("after yields")
    finally:
        print("gen finally")


@case((), fallback=True, consume=lambda g: (next(g), g.send("sent"), g.throw(KeyError("thrown"))))
def gen_send_throw():
    got = yield 1
    try:
        yield ("got", got)
    except KeyError as e:
        yield ("caught", str(e))


@case((4,), fallback=True, consume=lambda c: drive(c))
async def async_simple(n):
    total = 0
    for i in range(n):
        total += await async_helper(i)
    return total


async def async_helper(x):
    return x * 2


class Awaitable:
    def __await__(self):
        yield "suspended"
        return "resumed"


@case((), fallback=True, consume=drive)
async def async_suspends():
    r = await Awaitable()
    return r


@case((3,), fallback=True, consume=collect_agen)
async def async_gen(n):
    for i in range(n):
        yield i
        await async_helper(i)


@case((), fallback=True, consume=drive)
async def async_with_and_for():
    class ACM:
        async def __aenter__(self):
            return "entered"

        async def __aexit__(self, *a):
            return False

    class AIter:
        def __init__(self):
            self.i = 0

        def __aiter__(self):
            return self

        async def __anext__(self):
            self.i += 1
            if self.i > 3:
                raise StopAsyncIteration
            return self.i
    out = []
    async with ACM() as v:
        out.append(v)
    async for x in AIter():
        out.append(x)
    return out


@case((), fallback=True, consume=drive)
async def async_raises():
    await async_helper(1)
    raise ValueError("async failure")


# a normal (compiled, fallback=False) function using generators it creates --

@case((5,))
def uses_generator_objects(n):
    def countdown(k):
        while k > 0:
            yield k
            k -= 1
    g = countdown(n)
    first = next(g)
    rest = list(g)
    return first, rest, isinstance(g, types.GeneratorType), sum(x for x in countdown(3))


@case(())
def uses_coroutine_objects():
    async def add(a, b):
        return a + b
    c = add(1, 2)
    return type(c).__name__, drive(c)
