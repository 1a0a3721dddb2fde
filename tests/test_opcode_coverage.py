"""Every opcode the compiler claims to support is lowered by some differential case.

Order-independent: compiles every registered case (functions with
``fallback=False``, module snippets as code objects) and, so that opcodes
living only in nested code (comprehensions, class bodies, nested functions)
are reached as well, every nested non-generator code object (as a function
with fresh cells).  Only if something is still missing does it also run the
compiled cases, in case the compiler lowers lazily on first call.
"""
import dis
import os
import sys
import types

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from differential import harness  # noqa: E402

jit = pytest.importorskip("jit")

# Opcodes that only occur in generators / coroutines / async generators in 3.11
# (these are the only constructs allowed to fall back to the interpreter).
GENERATOR_ONLY = {
    "RETURN_GENERATOR", "YIELD_VALUE", "SEND", "GET_AWAITABLE", "GET_AITER", "GET_ANEXT",
    "END_ASYNC_FOR", "BEFORE_ASYNC_WITH", "ASYNC_GEN_WRAP", "GET_YIELD_FROM_ITER",
    "JUMP_BACKWARD_NO_INTERRUPT",
}
# Not instructions of their own: the decoder folds them into their neighbours.
DECODER_FOLDED = {"CACHE", "EXTENDED_ARG"}
ALLOWED_UNSUPPORTED = GENERATOR_ONLY | DECODER_FOLDED

_GEN_FLAGS = 0x20 | 0x80 | 0x100 | 0x200
_OPTIMIZED_NEWLOCALS = 0x1 | 0x2


def _as_function(code, globals_):
    cells = tuple(types.CellType() for _ in code.co_freevars)
    return types.FunctionType(code, globals_, code.co_name, None, cells)


class _Compiler:
    """Compiles case code with fallback=False, remembering failures and opcodes seen."""

    def __init__(self):
        self.failures = {}
        self.present = set()   # opnames (incl. EXTENDED_ARG/CACHE) in code that compiled
        self.attempts = 0

    def attempt(self, label, obj, code):
        self.attempts += 1
        try:
            jit.compile(obj, fallback=False)
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            self.failures[label] = f"{type(e).__name__}: {e}"
            return
        self.present.update(i.opname for i in _raw_instructions(code))

    def top_level(self, cases):
        for c in cases:
            if c.func is not None:
                if not (c.func.__code__.co_flags & _GEN_FLAGS):
                    self.attempt(c.name, c.func, c.func.__code__)
            else:
                code = harness.compile_source(c)
                self.attempt(c.name, code, code)

    def nested(self, cases, done):
        """Nested non-generator code objects (comprehensions, class bodies, inner
        functions) as functions with fresh cells; stops early once ``done()``."""
        for c in cases:
            if c.func is not None:
                top, g = c.func.__code__, c.func.__globals__
            else:
                top, g = harness.compile_source(c), {"__name__": "coverage"}
            for code in list(harness.iter_code_objects(top))[1:]:
                if code.co_flags & _GEN_FLAGS:
                    continue
                label = f"{c.name}/{code.co_qualname}"
                if code.co_freevars or code.co_flags & _OPTIMIZED_NEWLOCALS:
                    self.attempt(label, _as_function(code, g), code)
                else:
                    self.attempt(label, code, code)   # a class body without cells
            if done():
                return


def _raw_instructions(code):
    # includes EXTENDED_ARG and (3.11+) the inline CACHE entries
    return dis.get_instructions(code, show_caches=True)


def _run_compiled_cases():
    for c in harness.REGISTRY:
        try:
            harness.check_case(c)
        except BaseException:  # noqa: BLE001 - only lowering side effects matter here
            pass


def test_every_supported_opcode_is_lowered_by_some_case():
    cases = harness.load_all()
    supported = set(jit.supported_opcodes())
    # claimed, but in 3.11 they only occur in generator/async code, which falls back
    unreachable = supported & GENERATOR_ONLY
    required = supported - unreachable
    comp = _Compiler()

    def missing():
        covered = set(jit.opcode_coverage) | (DECODER_FOLDED & comp.present)
        return required - covered

    stages = ["top-level cases"]
    comp.top_level(cases)
    if missing():
        stages.append("nested code objects")
        comp.nested(cases, lambda: not missing())
    if missing():
        stages.append("running the compiled cases (lazy lowering)")
        _run_compiled_cases()
    still = missing()

    neither = sorted(set(dis.opmap) - supported - ALLOWED_UNSUPPORTED)
    print(f"\n{len(supported)} opcodes supported; {len(required - still)}/{len(required)} required "
          f"ones lowered by cases (stages: {', '.join(stages)}; {comp.attempts} compiles)")
    if unreachable:
        print("supported but generator/async-only in 3.11, so never lowered here:", sorted(unreachable))
    print("3.11 opcodes neither supported nor allowed to be unsupported:", neither or "none")
    print(f"{len(comp.failures)} code objects did not compile with fallback=False")
    for k, v in sorted(comp.failures.items())[:40]:
        print(f"  {k}: {v[:160]}")
    assert not still, (f"supported but never lowered by any differential case: {sorted(still)}; "
                       "add cases that use them")


def test_supported_opcodes_are_real_311_opcodes():
    unknown = set(jit.supported_opcodes()) - set(dis.opmap)
    assert not unknown, f"supported_opcodes() names unknown opcodes: {sorted(unknown)}"
