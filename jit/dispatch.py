"""dispatch: per-signature specialisation of a compiled function.

The generic entry point of a compiled function keeps a small table of rows
(exact argument types -> native entry). A call whose types match a row jumps
straight to its code; a call that matches none calls ``Dispatcher.miss``,
which compiles a specialisation for those types (``specialize``), or, when
unboxing buys nothing, points the row at the generic code.

A ``Specialization`` records its deopt sites. Each deoptimisation resumes the
call in the interpreter (runtime/deopt.py); a site that keeps deoptimising
gets its guess dropped and the row is recompiled without it, and after a few
rounds the row falls back to the generic code.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import collections
import ctypes
import os
import sys

from runtime import deopt      # (not on the deopt path: an import runs importlib's Python code)

from runtime.own_builtins import as_imported
from .errors import CompileError, UnsupportedError, raised_by_program
from .specialize import arg_type, int_flow

DEOPT_LIMIT = 4           # deopts at one site before re-specialising without its guess
RESPECIALIZE_LIMIT = 6    # re-specialisations of one row before it goes generic


def arg_param_site(i: int) -> int:
    """The pseudo-offset of "parameter i did not unbox" (an int too big for i64)."""
    return -2 - i


class Specialization:
    def __init__(self, dispatcher: "Dispatcher", types: tuple, arg_types: list,
                 no_speculate: frozenset, generation: int):
        self.dispatcher = dispatcher
        self.types = types
        self.arg_types = arg_types
        self.no_speculate = no_speculate
        self.generation = generation
        self.sites: list[tuple[int, int, int]] = []   # (resume offset, stack depth, op offset)
        self.deopts: collections.Counter = collections.Counter()
        self.native = None
        self.address = 0
        self.direct_address = 0
        self.return_hint = None      # what its returns are (for callers' unboxing)
        self.raw_tuple = None        # item types of the tuple it returns raw, if it does
        self.inlined_into: list = []  # callers' specialisations holding a copy of this code
        self.generic_nested: set = set()   # comprehensions' code kept generic in it
        # offsets whose guessed operands are guessed floats (their deopts saw floats)
        self.float_sites: frozenset = frozenset()
        self.seen: dict[int, set] = {}     # offset -> types of the operands its deopts had
        self.owner = self             # the row's specialisation this code belongs to
        # a nested function's copy that takes its arguments raw: their types (int/float)
        self.raw_types: tuple = ()

    def add_site(self, resume: int, depth: int, offset: int) -> int:
        self.sites.append((resume, depth, offset))
        return len(self.sites) - 1

    def deopt(self, site: int, values: list, left=None):
        """Called by native code: finish the call in the interpreter. ``values``
        (locals, then the operand stack) holds the only references to what the
        native frame held; resume() empties it into the resumed frame."""
        resume, depth, offset = self.sites[site]
        self.deopts[site] += 1
        self.dispatcher.deopt_count += 1
        # (the operands' types only: a reference to them here would outlive the call)
        top = len(values) - min(depth, 2)
        self.seen.setdefault(offset, set()).update(type(values[i]) for i in range(top, len(values)))
        if self.deopts[site] == DEOPT_LIMIT:
            self.give_up(offset)
        code = self.code
        try:
            function = self.dispatcher.function
            closure = function.__closure__ if code is function.__code__ else None
            return deopt.resume(function.__globals__, code, resume, depth, values,
                                left=left, closure=closure)
        except BaseException as exc:
            # the traceback starts at the resumed function, as if it had raised there
            # (a bare raise adds no entry for this frame, and keeps no frame alive)
            exc.__traceback__ = _from_resumed(exc.__traceback__, code)
            raise

    @property
    def code(self):
        return self.dispatcher.code

    def give_up(self, offset):
        """The guess at ``offset`` keeps failing: rebuild without it."""
        self.dispatcher.respecialize(self, offset)

    def describe(self) -> str:
        names = ", ".join(t.__name__ for t in self.types) or "no arguments"
        deopts = sum(self.deopts.values())
        return (f"({names}): specialised, {len(self.sites)} guards, {deopts} deopts, "
                f"{self.native.compile_ms:.1f} ms" +
                (f", generation {self.generation}" if self.generation else ""))


class NestedSpecialization(Specialization):
    """A comprehension's code specialised inside its maker's specialisation ``owner``
    (compiled into the same module, for the iterator's guessed items). Its deopts
    resume the comprehension's code; one that keeps failing rebuilds the owner with
    this code generic."""

    def __init__(self, owner: Specialization, code, arg_types: list, free_types: dict):
        super().__init__(owner.dispatcher, (), arg_types, frozenset(), 0)
        self.owner = owner
        self._code = code
        self.free_types = free_types    # free variable -> what its cell is guessed to hold

    @property
    def code(self):
        return self._code

    def give_up(self, offset):
        self.owner.generic_nested.add(self._code)
        self.dispatcher.respecialize(self.owner, None)


def _vague(t) -> bool:
    """An argument type that says less than its value would: a sequence whose items
    are not guessed (a specialisation made from it could not unbox them)."""
    def unknown_items(h):
        if h is None:
            return True
        if isinstance(h, tuple) and h[0] == "list":
            return unknown_items(h[1])
        if isinstance(h, tuple) and h[0] == "tuple":
            return any(map(unknown_items, h[1]))
        return False
    return isinstance(t, tuple) and unknown_items(t[1])


def _outgrown(seen: set) -> bool:
    """Whether a site's deopts, whose operands were of the types ``seen``, came of
    ints that did not fit in 64 bits (not of an operand of another type)."""
    return int in seen and not seen & {float, bool, complex} and \
        not any(issubclass(t, int) and t is not int for t in seen)


def _overflowed(spec, offset: int, seen: set) -> bool:
    """Whether the deopts at ``offset`` were an int op's overflow though ``seen`` does
    not show it: a guard hoisted before a loop (hoist.py) resumes at the loop's
    header, whose stack is what it records. An int op there, with no float seen."""
    return not seen & {float, bool, complex} and any(
        op.offset == offset and op.kind == "int_op"
        for blk in spec.native.ir.blocks for op in blk.ops)


def _from_resumed(tb, code):
    while tb is not None and not (tb.tb_frame.f_code.co_qualname == code.co_qualname
                                  and tb.tb_frame.f_code.co_filename == code.co_filename):
        tb = tb.tb_next
    return tb


_NOT_NOW = object()     # _build: no specialisation now (see _add_row)


class Dispatcher:
    ROWS = 4

    def __init__(self, function, code):
        self.function = function
        self.code = code
        # the parameters dispatched on: positional and keyword-only ones (a *args
        # tuple and a **kwargs dict are always those, and unspecialised)
        self.argc = code.co_argcount + code.co_kwonlyargcount
        self.variadic = bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)
        self.rows: list[list] = []          # [types, Specialization | None]
        self.retired: list[Specialization] = []   # replaced, maybe still running
        self.deopt_count = 0
        self.table = None
        self.generic_address = 0
        # per signature: a word holding the specialisation's direct entry (or 0), which
        # specialised callers call without boxing; rewritten on re-specialisation
        self.cells: dict[tuple, ctypes.c_void_p] = {}
        self.building: set[tuple] = set()
        self.failures: list[str] = []   # specialisations the compiler could not build
        self.materialize = None   # compiles the generic code on first use (pipeline.LazyGeneric)

    def attach(self, library, prefix: str):
        n = self.ROWS * (self.argc + 1)
        self.table = (ctypes.c_void_p * n).from_address(library.address(f"{prefix}.sigs"))
        self.generic_address = library.address(f"{prefix}.generic")

    def miss(self, *args, _finalizing=sys.is_finalizing):
        """Native dispatch found no row for these argument types. (None at interpreter
        exit, when imports fail and so would compiling: the generic code runs, or the
        interpreter, see pipeline.LazyGeneric.)"""
        if len(self.rows) >= self.ROWS or _finalizing():
            return None
        types = tuple(type(a) for a in args)
        if self._has_row(types) or types in self.building:
            return None    # (made by a direct call meanwhile)
        self.cells.setdefault(types, ctypes.c_void_p(0))
        arg_types = [arg_type(a) for a in args] + [("obj", None)] * self.variadic
        spec = self._build(types, arg_types, frozenset(), 0)
        self._add_row(types, spec)
        return None

    def direct_cell(self, types: tuple, arg_types: list) -> ctypes.c_void_p | None:
        """The direct-entry cell of the specialisation for ``types``, made now if there
        is room (a specialised caller is about to call it with unboxed arguments)."""
        if types not in self.cells:
            if len(self.rows) >= self.ROWS:
                return None
            self.cells[types] = ctypes.c_void_p(0)
        if not self._has_row(types) and types not in self.building and \
                len(self.rows) < self.ROWS and not any(map(_vague, arg_types)):
            spec = self._build(types, arg_types, frozenset(), 0)
            self._add_row(types, spec)
        # (else made at the first call through the dispatcher, from the values)
        return self.cells[types]

    def _add_row(self, types: tuple, spec):
        """A row for ``types`` made by _build, unless other threads (compiling releases
        the GIL) filled the table or made that row meanwhile; a build cut short by
        the recursion limit makes none (a later call builds it)."""
        if spec is _NOT_NOW or len(self.rows) >= self.ROWS or self._has_row(types):
            return
        self.rows.append([types, spec])
        self._write(len(self.rows) - 1)

    def _has_row(self, types: tuple) -> bool:
        return any(row_types == types for row_types, _ in self.rows)

    def spec_for(self, types: tuple) -> Specialization | None:
        """The compiled specialisation serving ``types`` now, if any."""
        for row_types, spec in self.rows:
            if row_types == types and spec is not None and spec.native is not None:
                return spec
        return None

    def _row_spec(self, types: tuple) -> Specialization | None:
        """The specialisation in ``types``' row (compiled or not), if any."""
        for row_types, spec in self.rows:
            if row_types == types and spec is not None:
                return spec
        return None

    def return_hint(self, types: tuple):
        spec = self._row_spec(types)
        return spec.return_hint if spec else None

    def raw_tuple(self, types: tuple):
        """The item types of the tuple the specialisation for ``types`` hands direct
        callers unboxed, or None."""
        spec = self._row_spec(types)
        return spec.raw_tuple if spec else None

    def respecialize(self, spec: Specialization, offset: int | None,
                     _finalizing=sys.is_finalizing):
        """Replace ``spec``'s row: rebuilt without the guess made at ``offset`` (None:
        rebuilt as it is, for a callee that changed), or generic after a few rounds.
        Callers with a copy of ``spec``'s code are rebuilt too, so their copies stop
        deoptimising where this code no longer does. (Not while the interpreter
        finalises: imports, and so compiling, fail then; the deopts go on.)"""
        if _finalizing():
            return
        for i, row in enumerate(self.rows):
            if row[1] is spec:
                break
        else:
            return
        new = None
        if spec.generation < RESPECIALIZE_LIMIT:
            no_spec, float_sites = spec.no_speculate, spec.float_sites
            seen = spec.seen.get(offset, set())
            if offset is not None and offset not in float_sites and float in seen \
                    and seen <= {int, float}:
                float_sites = float_sites | {offset}   # guess floats there
            elif offset is not None and spec.native is not None and \
                    (_outgrown(seen) or _overflowed(spec, offset, seen)):
                # (an int too big for 64 bits: generic ops wherever it can flow)
                no_spec = no_spec | {offset} | int_flow(spec.native.ir, offset)
            elif offset is not None:
                no_spec = no_spec | {offset}           # the generic op there
            arg_types = list(spec.arg_types)
            for j in range(len(spec.types)):
                if arg_param_site(j) in no_spec:
                    # (an int past 64 bits, a nan: the argument stays its object)
                    arg_types[j] = ("obj", "float" if spec.types[j] is float else "int")
            new = self._build(spec.types, arg_types, no_spec, spec.generation + 1,
                              spec.generic_nested, float_sites)
            if new is _NOT_NOW:     # (too deep to compile: the next deopt there retries)
                for site, n in spec.deopts.items():
                    spec.deopts[site] = min(n, DEOPT_LIMIT - 1)
                return
        if row[1] is not spec:
            return      # (another thread re-specialised the row while this one compiled)
        self.retired.append(spec)
        row[1] = new
        self._write(i)
        for caller in spec.inlined_into:
            caller.dispatcher.respecialize(caller, None)

    @as_imported     # (compiling, and the imports on the way: see there)
    def _build(self, types, arg_types, no_spec, generation, generic_nested=(),
               float_sites=frozenset()):
        from . import pipeline
        if pipeline.too_deep_to_compile():
            return _NOT_NOW
        spec = Specialization(self, types, arg_types, no_spec, generation)
        spec.generic_nested = set(generic_nested)
        spec.float_sites = float_sites
        self.building.add(types)
        try:
            spec.native = pipeline.compile_specialized(self.code, self.function, spec)
        except RecursionError:
            return _NOT_NOW     # called too deep to compile: the call runs generic code
        except (CompileError, UnsupportedError) as exc:
            if os.environ.get("JIT_STRICT") and isinstance(exc, CompileError):
                raise    # the test suite wants internal errors loud
            self.failures.append(f"{types}: {exc}")
            return None
        except Exception as exc:    # a bug of the compiler's: these calls run generic code
            if os.environ.get("JIT_STRICT") or raised_by_program(exc):
                raise
            self.failures.append(f"{types}: internal compiler error: {type(exc).__name__}: {exc}")
            return None
        finally:
            self.building.discard(types)
        if spec.native is None:   # nothing to unbox: the generic code is as good
            return None
        spec.address = spec.native.library.address(f"{spec.native.prefix}.spec")
        spec.direct_address = spec.native.library.address(f"{spec.native.prefix}.direct")
        return spec

    def _write(self, row: int):
        types, spec = self.rows[row]
        base = row * (self.argc + 1)
        self.table[base + self.argc] = None    # never half-written while matching
        for i, t in enumerate(types):
            self.table[base + i] = id(t)
        self.table[base + self.argc] = spec.address if spec else self.generic_address
        self.cells.setdefault(types, ctypes.c_void_p(0)).value = spec.direct_address if spec else 0

    def explain(self) -> str:
        lines = []
        for types, spec in self.rows:
            if spec is None:
                names = ", ".join(t.__name__ for t in types) or "no arguments"
                lines.append(f"  ({names}): generic code (nothing to unbox)")
            else:
                lines.append("  " + spec.describe())
        if len(self.rows) >= self.ROWS:
            lines.append(f"  at most {self.ROWS} signatures: others run the generic code")
        if self.deopt_count:
            lines.append(f"  deoptimisations: {self.deopt_count}")
        lines += [f"  could not specialise {f}" for f in self.failures]
        return "\n".join(lines) if lines else "  no specialisations yet (made on first calls)"
