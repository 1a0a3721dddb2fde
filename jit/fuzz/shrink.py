"""Shrinking a failing program to a small one that fails the same way.

Phase 1 edits the generator's *choice buffer* (delete chunks, zero chunks,
lower single values) and regenerates, so every candidate is still a valid,
terminating program by construction.  Phase 2 works on the source: it deletes
statements (``pass`` where a block would become empty), flattens compound
statements into their bodies, and drops extra calls.  A candidate is kept
when ``interesting(source, calls)`` is true and it is smaller (shorter source,
then fewer calls, then a shortlex-smaller buffer).  Everything stops at the
time budget.
"""
from __future__ import annotations

import ast
import time

from .generator import program_from_buffer


class Shrinker:
    def __init__(self, interesting, budget=60.0, max_evals=2000, weights=None, swarm=True, on_improve=None,
                 buffer_share=0.35):
        self.interesting = interesting
        self.budget = budget
        self.buffer_share = buffer_share
        self.deadline = time.monotonic() + budget
        self.max_evals = max_evals
        self.evals = 0
        self.weights = weights
        self.swarm = swarm
        self.on_improve = on_improve
        self.seen = set()
        self.source = None
        self.calls = None
        self.buffer = None

    def out_of_budget(self):
        return (time.monotonic() > self.deadline or self.evals >= self.max_evals
                or getattr(self, "phase_deadline", None) is not None and time.monotonic() > self.phase_deadline)

    def key(self, source, calls, buffer):
        return (len(source), len(calls), len(buffer or ()), tuple(buffer or ()))

    def consider(self, source, calls, buffer=None):
        if self.out_of_budget():
            return False
        sig = (source, repr(calls))
        if sig in self.seen:
            return False
        self.seen.add(sig)
        if self.source is not None and self.key(source, calls, buffer) >= self.key(self.source, self.calls, self.buffer or buffer):
            return False
        self.evals += 1
        try:
            ok = self.interesting(source, calls)
        except Exception:  # noqa: BLE001 - a broken candidate is just not interesting
            ok = False
        if ok:
            self.source, self.calls = source, calls
            if buffer is not None:
                self.buffer = buffer
            if self.on_improve:
                self.on_improve(source, calls)
        return ok

    # -- phase 1: the choice buffer -------------------------------------------
    def try_buffer(self, buf):
        try:
            p = program_from_buffer(buf, self.weights, self.swarm)
        except Exception:  # noqa: BLE001
            return False
        rec = p.buffer
        # trailing zeros are implied by an exhausted buffer
        while rec and rec[-1] == 0:
            rec.pop()
        return self.consider(p.source, p.calls, rec)

    def shrink_buffer(self):
        if self.buffer is None:
            return
        improved = True
        while improved and not self.out_of_budget():
            improved = False
            buf = self.buffer
            # truncations
            for frac in (0.25, 0.5, 0.75):
                if self.try_buffer(buf[: int(len(buf) * frac)]):
                    improved = True
                    break
            if improved:
                continue
            for k in (64, 32, 16, 8, 4):
                i = len(self.buffer) - k
                while i >= 0 and not self.out_of_budget():
                    buf = self.buffer
                    if self.try_buffer(buf[:i] + buf[i + k:]):
                        improved = True
                    elif any(buf[i:i + k]) and self.try_buffer(buf[:i] + [0] * k + buf[i + k:]):
                        improved = True
                    i -= k
            i = 0
            while i < len(self.buffer) and not self.out_of_budget():
                buf = self.buffer
                v = buf[i]
                if v:
                    for nv in (0, v // 2, v - 1):
                        if nv < v and self.try_buffer(buf[:i] + [nv] + buf[i + 1:]):
                            improved = True
                            break
                i += 1

    # -- phase 2: the source ------------------------------------------------------
    def statement_lists(self, tree):
        """(owner, field) of every statement list, outermost first."""
        out = []
        for node in ast.walk(tree):
            for fld in ("body", "orelse", "finalbody"):
                lst = getattr(node, fld, None)
                if isinstance(lst, list) and lst and isinstance(lst[0], ast.stmt):
                    out.append((node, fld))
            if isinstance(node, (ast.Try, ast.TryStar)):
                for h in node.handlers:
                    out.append((h, "body"))
            if isinstance(node, ast.Match):
                for c in node.cases:
                    out.append((c, "body"))
        return out

    def variants(self, source):
        """Candidate sources, biggest deletions first."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return
        n_lists = len(self.statement_lists(tree))
        for li in range(n_lists):
            probe = ast.parse(source)
            owner, fld = self.statement_lists(probe)[li]
            n = len(getattr(owner, fld))
            for j in reversed(range(n)):
                # mode: "delete", or ("flatten", k): replace the statement by its k-th sub-block
                for mode in ["delete"] + [("flatten", k) for k in range(6)]:
                    t = ast.parse(source)
                    o, f = self.statement_lists(t)[li]
                    lst = getattr(o, f)
                    if j >= len(lst):
                        continue
                    st = lst[j]
                    if mode == "delete":
                        if isinstance(st, ast.FunctionDef) and st.name == "f" and o is t:
                            continue
                        new = lst[:j] + lst[j + 1:]
                    else:
                        if isinstance(st, (ast.FunctionDef, ast.ClassDef)):
                            continue
                        blocks = [getattr(st, fl) for fl in ("body", "orelse", "finalbody")
                                  if isinstance(getattr(st, fl, None), list) and getattr(st, fl)
                                  and isinstance(getattr(st, fl)[0], ast.stmt)]
                        blocks += [h.body for h in getattr(st, "handlers", [])]
                        blocks += [c.body for c in getattr(st, "cases", [])]
                        if mode[1] >= len(blocks):
                            continue
                        new = lst[:j] + blocks[mode[1]] + lst[j + 1:]
                    if not new:
                        new = [] if (fld in ("orelse", "finalbody") and mode == "delete") else [ast.Pass()]
                    if f == "finalbody" and not new and isinstance(o, ast.Try) and not o.handlers:
                        new = [ast.Pass()]
                    setattr(o, f, new)
                    if isinstance(o, (ast.Try, ast.TryStar)) and not o.handlers and not o.finalbody:
                        o.finalbody = [ast.Pass()]
                    try:
                        yield ast.unparse(ast.fix_missing_locations(t)) + "\n"
                    except Exception:  # noqa: BLE001
                        continue

    @staticmethod
    def simpler_values(v):
        if isinstance(v, bool):
            return [False] if v else []
        if isinstance(v, int):
            return [x for x in (0, 1, -1) if abs(x) < abs(v) or (x == 1 and v not in (0, 1))]
        if isinstance(v, float):
            return [] if v == 0.0 or v != v else [0.0, 1.0]
        if isinstance(v, (str, bytes, list, tuple)):
            return [v[:0]] + ([v[:1]] if len(v) > 1 else [])
        if isinstance(v, (dict, set)):
            return [type(v)()] if v else []
        return []

    def shrink_calls(self):
        improved = False
        if len(self.calls) > 1:
            for i in range(len(self.calls)):
                cand = self.calls[:i] + self.calls[i + 1:]
                if self.consider(self.source, cand, self.buffer):
                    return True
        for ci, call in enumerate(self.calls):
            for ai, v in enumerate(call):
                for nv in self.simpler_values(v):
                    new_call = call[:ai] + (nv,) + call[ai + 1:]
                    cand = self.calls[:ci] + [new_call] + self.calls[ci + 1:]
                    if self.consider_calls(cand):
                        return True
        return improved

    def consider_calls(self, calls):
        """Calls of the same count: accept if interesting and 'smaller' by repr length."""
        if self.out_of_budget() or len(repr(calls)) >= len(repr(self.calls)):
            return False
        sig = (self.source, repr(calls))
        if sig in self.seen:
            return False
        self.seen.add(sig)
        self.evals += 1
        try:
            ok = self.interesting(self.source, calls)
        except Exception:  # noqa: BLE001
            ok = False
        if ok:
            self.calls = calls
            if self.on_improve:
                self.on_improve(self.source, calls)
        return ok

    def shrink_source(self):
        improved = True
        while improved and not self.out_of_budget():
            improved = False
            if self.shrink_calls():
                improved = True
                continue
            for cand in list(self.variants(self.source)):
                if self.out_of_budget():
                    break
                if len(cand) < len(self.source) and self.consider(cand, self.calls, self.buffer):
                    improved = True
                    break

    def run(self, source, calls, buffer=None):
        self.source, self.calls, self.buffer = source, list(calls), list(buffer) if buffer else None
        self.seen.add((source, repr(self.calls)))
        if self.buffer is not None:
            # choice-level shrinking keeps programs valid by construction, but
            # costs many evaluations: give it a share of the budget
            self.phase_deadline = time.monotonic() + self.budget * self.buffer_share
            self.shrink_buffer()
            self.phase_deadline = None
        self.shrink_source()
        return self.source, self.calls


def shrink(source, calls, interesting, buffer=None, budget=60.0, **kw):
    """Shrink (source, calls) while ``interesting(source, calls)`` holds."""
    return Shrinker(interesting, budget=budget, **kw).run(source, calls, buffer)
