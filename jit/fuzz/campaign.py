"""A fuzzing campaign: many generated programs through the oracle in worker
processes.

    python -m jit.fuzz --programs 2000 --seed 1 --jobs 2 --out fuzz-out

Program *i* of seed *S* is ``program_from_seed(S, i)``: a campaign is
reproducible and any program can be regenerated from its (seed, index).
Workers are spawned processes; each runs the oracle in-process, shrinks a
failing program itself (sending the best reproducer so far as it goes) and
reports the opcode coverage it caused.  A worker that dies (a segfault in
compiled code) is reported as a *crash*, one that overruns the per-program
time limit as a *hang*; both are restarted.  Crashing and hanging programs
are shrunk afterwards in forked children.  Every failure is written to the
output directory as a runnable reproducer.

The coverage report lists the opcodes the compiler lowered and, for each
supported opcode never exercised, why: it was only in code the compiler
declined, only in nested code (which compiled code runs in the interpreter),
is only emitted for generators, or the generator never produced it.
"""
from __future__ import annotations

import collections
import json
import multiprocessing as mp
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from . import oracle
from .generator import program_from_seed


# ---------------------------------------------------------------------------
# the worker side

def _result_dict(res):
    return {
        "status": res.status,
        "failures": res.failures,
        "compiled": res.compiled,
        "coverage": res.coverage,
        "seconds": res.seconds,
        "describe": res.describe(),
        "expected": res.expected,
        "observed": res.observed,
        "opcodes": res.opcodes,
    }


SHRINK_IN_WORKER = ("divergence", "compiler_crash")


def worker_main(conn, seed, weights, swarm, timeout, shrink_budget, selftest):
    os.environ.setdefault("JIT_STRICT", "1")   # an internal compiler error is a finding
    if selftest:
        os.environ["JIT_FUZZ_SELFTEST"] = selftest if isinstance(selftest, str) else "1"
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .shrink import Shrinker

    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        _, index = msg
        try:
            prog = program_from_seed(seed, index, weights, swarm)
            res = oracle.check(prog.source, prog.calls, timeout=timeout)
            if res.failed:
                again = oracle.check(prog.source, prog.calls, timeout=timeout)
                if again.status != res.status or again.diffs != res.diffs:
                    res.detail = (res.detail + "\n" if res.detail else "") + (
                        f"FLAKY: a second run in the same process gave {again.status}"
                        + (":\n" + "\n".join(again.diffs) if again.diffs else ""))
            conn.send(("result", index, _result_dict(res)))
            shrink_this = False
            if res.status in SHRINK_IN_WORKER:
                shrink_this = conn.recv()  # the controller decides (a few per kind of failure)
            if shrink_this and shrink_budget > 0:
                conn.send(("shrinking", index, None))
                status = res.status

                def interesting(src, calls):
                    return oracle.check(src, calls, timeout=min(timeout, 5.0)).status == status

                def improved(src, calls):
                    conn.send(("progress", index, (src, calls)))

                sh = Shrinker(interesting, budget=shrink_budget, weights=weights, swarm=swarm, on_improve=improved)
                src, calls = sh.run(prog.source, prog.calls, prog.buffer)
                final = oracle.check(src, calls, timeout=timeout)
                conn.send(("shrunk", index, (src, calls, _result_dict(final))))
            else:
                conn.send(("done", index, None))
        except (BrokenPipeError, EOFError, OSError):
            return  # the controller went away
        except Exception:  # noqa: BLE001 - a bug in the fuzzer itself
            try:
                conn.send(("error", index, traceback.format_exc()))
            except (BrokenPipeError, OSError):
                return


# ---------------------------------------------------------------------------
# the controller

@dataclass
class Failure:
    kind: str            # divergence | crash | hang | compiler_crash | invalid
    index: int
    source: str
    calls: list
    describe: str
    path: str = ""
    shrunk: bool = False
    expected: list = field(default_factory=list)
    observed: list = field(default_factory=list)


# The decoder folds these into the instruction they belong to, so they never
# reach lowering: they count as handled when code that compiled contained them.
FOLDED_BY_DECODER = {"CACHE": "inline cache entries", "EXTENDED_ARG": "argument prefixes"}
# CPython 3.11 emits these only for generators/coroutines (JUMP_BACKWARD_NO_INTERRUPT:
# the SEND loop of yield from/await; of the 13,333 stdlib and site-packages files
# compiled here, every code object containing it was a generator or coroutine),
# and the compiler does not compile generators; the oracle's loop variant
# (oracle.uninterruptible_loops) puts it in ordinary code.
GENERATOR_ONLY = {"JUMP_BACKWARD_NO_INTERRUPT"}


@dataclass
class Summary:
    seed: int
    programs: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    failures: list = field(default_factory=list)
    fallback_reasons: collections.Counter = field(default_factory=collections.Counter)
    code_compiled: int = 0    # code objects: module code, interactive statements, functions, methods
    code_declined: int = 0
    coverage: collections.Counter = field(default_factory=collections.Counter)
    # opcodes of the programs' bytecode by where it runs (see oracle.opcode_census)
    opcodes: dict = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    supported: set = field(default_factory=set)
    fuzzer_errors: list = field(default_factory=list)
    seconds: float = 0.0
    slowest: list = field(default_factory=list)
    worker_restarts: int = 0

    @property
    def failed(self):
        return [f for f in self.failures if f.kind != "invalid"]

    def report(self) -> str:
        L = []
        L.append(f"programs run: {self.programs} (seed {self.seed}) in {self.seconds:.1f}s"
                 + (" -- INTERRUPTED" if getattr(self, "interrupted", False) else ""))
        order = ["ok", "divergence", "crash", "hang", "compiler_crash", "unsupported", "invalid"]
        L.append("results: " + ", ".join(f"{k} {self.statuses.get(k, 0)}" for k in order)
                 + (f"; fuzzer errors {len(self.fuzzer_errors)}" if self.fuzzer_errors else ""))
        L.append(f"code compiled (module code, interactive statements, functions, methods): "
                 f"{self.code_compiled}; declined: {self.code_declined}")
        for kind in ("divergence", "crash", "hang", "compiler_crash", "invalid"):
            fs = [f for f in self.failures if f.kind == kind]
            if not fs:
                continue
            title = {"invalid": "invalid programs (generator bugs: the interpreter failed or hung)",
                     "crash": "crashes", "compiler_crash": "compiler crashes"}.get(kind, kind + "s")
            L.append(f"\n{title}: {len(fs)}")
            groups = collections.defaultdict(list)
            for f in fs:
                groups[_signature(f)].append(f)
            for sig, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
                L.append(f"  [{len(members)}x] {sig}")
                for f in members[:5]:
                    L.append(f"      index {f.index}{' (shrunk)' if f.shrunk else ''}: {f.path or '(not written)'}")
                if len(members) > 5:
                    L.append(f"      ... and {len(members) - 5} more")
        if self.fallback_reasons:
            L.append(f"\nfallbacks/unsupported (code objects, by reason): {sum(self.fallback_reasons.values())}")
            for reason, n in self.fallback_reasons.most_common(25):
                L.append(f"  {n:6d}  {reason}")
        L.append("\nopcode coverage (lowered by the compiler while compiling these programs):")
        if self.coverage:
            items = sorted(self.coverage.items(), key=lambda kv: -kv[1])
            L.append("  " + _wrap(", ".join(f"{k} {v}" for k, v in items), 100, "  "))
        else:
            L.append("  (none: jit.opcode_coverage stayed empty)")
        L += self.coverage_gaps()
        unclaimed = sorted(op for op in self.opcodes["all"] if self.supported and op not in self.supported)
        if unclaimed:
            L.append("opcodes in generated code that the compiler does not claim: " + _wrap(", ".join(unclaimed), 100, "    "))
        if self.slowest:
            L.append("\nslowest programs: " + ", ".join(f"index {i} {s:.2f}s" for s, i in sorted(self.slowest, reverse=True)[:5]))
        if self.fuzzer_errors:
            L.append("\nfuzzer errors (bugs in jit.fuzz itself):")
            for idx, tb in self.fuzzer_errors[:3]:
                L.append(f"  index {idx}:\n" + "\n".join("    " + ln for ln in tb.splitlines()))
        return "\n".join(L)

    def exercised(self):
        """Supported opcodes lowered, or folded by the decoder in code that compiled."""
        folded = {op for op in FOLDED_BY_DECODER if self.opcodes["compiled"][op]}
        return {op for op in self.supported if op in self.coverage or op in folded}

    def coverage_gaps(self):
        """Report lines: the supported opcodes never exercised, by the reason why."""
        if not self.supported:
            return []
        ops = self.opcodes
        L = []
        folded = [f"{op} ({ops['compiled'][op]} {what})" for op, what in FOLDED_BY_DECODER.items()
                  if ops["compiled"][op]]
        if folded:
            L.append(_wrap("folded away by the decoder, never lowered as such; counted as exercised because "
                           "code that compiled contained them: " + ", ".join(folded), 100, "  "))
        never = sorted(self.supported - self.exercised())
        L.append(f"supported opcodes exercised: {len(self.supported) - len(never)} of {len(self.supported)}")
        reasons = [
            ("in code that compiled, yet never counted as lowered", lambda op: ops["compiled"][op]),
            ("in code the compiler declined (see fallbacks)", lambda op: ops["declined"][op]),
            ("only in nested functions compiled code makes but does not call at once (closures, "
             "lambdas), which run in the interpreter", lambda op: ops["nested"][op]),
            ("only emitted for generators/coroutines, which the compiler does not compile",
             lambda op: op in GENERATOR_ONLY),
            ("not produced by the generator", lambda op: True),
        ]
        for title, applies in reasons:
            mine = [op for op in never if applies(op)]
            never = [op for op in never if op not in mine]
            if mine:
                L.append("  " + _wrap(f"{title}: " + ", ".join(mine), 100, "    "))
        return L

    def to_json(self):
        return {
            "seed": self.seed,
            "programs": self.programs,
            "statuses": dict(self.statuses),
            "failures": [{"kind": f.kind, "index": f.index, "path": f.path, "shrunk": f.shrunk,
                          "signature": _signature(f)} for f in self.failures],
            "fallback_reasons": dict(self.fallback_reasons),
            "coverage": dict(self.coverage),
            "opcodes": {kind: dict(counts) for kind, counts in self.opcodes.items()},
            "supported_never_exercised": sorted(self.supported - self.exercised()),
            "seconds": self.seconds,
        }


def _wrap(text, width, pad):
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + len(word) + 1 > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return ("\n" + pad).join(out)


def _signature(f: Failure):
    """Failures with equal signatures probably share a cause (quoted names and
    numbers are abstracted away)."""
    return re.sub(r"\d+", "N", re.sub(r"'[^'\n]*'", "'_'", _raw_signature(f)))


def _raw_signature(f: Failure):
    if f.kind == "divergence":
        lines = f.describe.splitlines()
        for i, ln in enumerate(lines):
            if ln.startswith(("module code", "interactive statement")):
                what = ln
            elif ln.startswith("call ") or ln.startswith("globals"):
                what = ln.split(":", 1)[1].strip() or ln.split(":", 1)[0]
            else:
                continue
            detail = " / ".join(x.strip() for x in lines[i + 1:i + 3])
            return f"{what} {detail}"[:160]
        return "divergence"
    if f.kind == "compiler_crash":
        tail = [ln for ln in f.describe.splitlines() if ln.strip()]
        return tail[-1][:160] if tail else "compiler crash"
    return f.describe.splitlines()[-1][:160] if f.describe else f.kind


# A worker process runs this many programs, then a fresh one takes over: compiled
# code accumulates in a process (native memory, ~1 GB after a few thousand
# programs) and a long-lived worker got 2x slower.
PROGRAMS_PER_WORKER = 250


class _Worker:
    def __init__(self, ctx, args):
        self.ctx = ctx
        self.args = args
        self.start()

    def recycle(self):
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(5)
        self.kill()
        self.start()

    def start(self):
        parent, child = self.ctx.Pipe()
        self.conn = parent
        self.proc = self.ctx.Process(target=worker_main, args=(child,) + self.args, daemon=True)
        self.proc.start()
        child.close()
        self.index = None
        self.deadline = None
        self.phase = None
        self.best = None       # best reproducer so far while shrinking
        self.runs = 0

    def kill(self):
        try:
            self.proc.kill()
        except Exception:  # noqa: BLE001
            pass
        self.proc.join(5)
        self.conn.close()


class Campaign:
    def __init__(self, programs, seed, jobs=None, out="fuzz-out", timeout=10.0, shrink_budget=60.0,
                 max_shrinks_per_signature=2, weights=None, swarm=True, selftest=False, progress=True,
                 start=0, write=True, hard_timeout=None):
        self.n = programs
        self.seed = seed
        self.jobs = jobs or max(1, (os.cpu_count() or 2))
        self.out = out
        self.timeout = timeout
        self.shrink_budget = shrink_budget
        self.max_shrinks = max_shrinks_per_signature
        self.weights = weights
        self.swarm = swarm
        self.selftest = selftest
        self.progress = progress
        self.start_index = start
        self.write = write
        # a worker silent for this long is killed and its program reported as a hang
        self.hard_timeout = hard_timeout or (timeout * 3 + 60)
        self.summary = Summary(seed)
        self.shrinks_started = collections.Counter()
        self.pending = {}   # index -> Failure awaiting shrinking result

    # -- bookkeeping -----------------------------------------------------------
    def _record(self, index, d):
        s = self.summary
        s.programs += 1
        s.statuses[d["status"]] += 1
        s.coverage.update(d.get("coverage") or {})
        for kind, counts in (d.get("opcodes") or {}).items():
            s.opcodes[kind].update(counts)
        s.code_compiled += len(d.get("compiled") or ())
        for name, kind, reason in d.get("failures") or ():
            s.code_declined += 1
            s.fallback_reasons[reason] += 1
        s.slowest.append((d.get("seconds", 0.0), index))
        s.slowest = sorted(s.slowest, reverse=True)[:10]

    def _program(self, index):
        return program_from_seed(self.seed, index, self.weights, self.swarm)

    def _write(self, f: Failure):
        if not self.write:
            return
        os.makedirs(self.out, exist_ok=True)
        prefix = {"divergence": "div", "compiler_crash": "ccrash"}.get(f.kind, f.kind)
        path = os.path.join(self.out, f"{prefix}-s{self.seed}-i{f.index}.py")
        note = f.describe + ("\n(shrunk)" if f.shrunk else "\n(not shrunk)")
        text = oracle.reproducer_text(f.source, f.calls, None,
                                      origin=f"python -m jit.fuzz --seed {self.seed} (program index {f.index})",
                                      note=note)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        f.path = path

    def _fail(self, kind, index, describe, source=None, calls=None, d=None):
        if source is None:
            p = self._program(index)
            source, calls = p.source, p.calls
        f = Failure(kind, index, source, calls, describe,
                    expected=(d or {}).get("expected", []), observed=(d or {}).get("observed", []))
        self.summary.failures.append(f)
        return f

    # -- the loop ----------------------------------------------------------------
    def run(self) -> Summary:
        t0 = time.monotonic()
        try:
            import jit

            self.summary.supported = set(jit.supported_opcodes())
        except Exception:  # noqa: BLE001
            self.summary.supported = set()
        import signal

        def on_term(signum, frame):
            raise KeyboardInterrupt

        try:
            old_term = signal.signal(signal.SIGTERM, on_term)
        except ValueError:  # not the main thread
            old_term = None
        ctx = mp.get_context("spawn")
        args = (self.seed, self.weights, self.swarm, self.timeout, self.shrink_budget, self.selftest)
        workers = [_Worker(ctx, args) for _ in range(min(self.jobs, max(1, self.n)))]
        todo = list(range(self.start_index, self.start_index + self.n))
        todo.reverse()
        done = 0
        last_draw = 0.0
        try:
            while done < self.n or any(w.index is not None for w in workers):
                for w in workers:
                    if w.index is None and todo:
                        if w.runs >= PROGRAMS_PER_WORKER:
                            w.recycle()
                        w.runs += 1
                        idx = todo.pop()
                        w.index, w.phase = idx, "run"
                        w.deadline = time.monotonic() + self.hard_timeout
                        w.best = None
                        try:
                            w.conn.send(("run", idx))
                        except (BrokenPipeError, OSError):
                            pass
                busy = [w for w in workers if w.index is not None]
                if not busy:
                    break
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.5)
                now = time.monotonic()
                for w in busy:
                    if w.conn in ready:
                        try:
                            while w.conn.poll():
                                kind, idx, payload = w.conn.recv()
                                done += self._handle(w, kind, idx, payload)
                        except (EOFError, OSError):
                            pass
                    if w.index is not None and (not w.proc.is_alive() or now > w.deadline):
                        done += self._worker_lost(w, died=not w.proc.is_alive())
                        w.kill()
                        w.start()
                        self.summary.worker_restarts += 1
                if self.progress and (now - last_draw > 0.2 or done == self.n):
                    self._draw(done, t0)
                    last_draw = now
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
        finally:
            for w in workers:
                try:
                    w.conn.send(None)
                except Exception:  # noqa: BLE001
                    pass
            for w in workers:
                w.proc.join(2)
                if w.proc.is_alive():
                    w.kill()
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
        if self.progress:
            self._draw(done, t0)
            print(file=sys.stderr)
        self.interrupted = done < self.n
        self._shrink_crashes()
        for f in self.summary.failures:
            if not f.path:
                self._write(f)
        self.summary.seconds = time.monotonic() - t0
        self.summary.interrupted = self.interrupted
        if self.write:
            os.makedirs(self.out, exist_ok=True)
            with open(os.path.join(self.out, "summary.json"), "w") as fh:
                json.dump(self.summary.to_json(), fh, indent=1)
        return self.summary

    def _handle(self, w, kind, idx, payload):
        """Returns 1 when the program is finished."""
        if kind == "result":
            self._record(idx, payload)
            st = payload["status"]
            if st in ("divergence", "compiler_crash", "invalid", "hang", "crash"):
                f = self._fail(st, idx, payload["describe"], d=payload)
                sig = _signature(f)
                self.pending[idx] = f
                if st in SHRINK_IN_WORKER:
                    want = self.shrinks_started[sig] < self.max_shrinks and self.shrink_budget > 0
                    if want:
                        self.shrinks_started[sig] += 1
                    try:
                        w.conn.send(want)
                    except (BrokenPipeError, OSError):
                        pass
            return 0
        if kind == "shrinking":
            w.phase = "shrink"
            w.deadline = time.monotonic() + self.shrink_budget + self.hard_timeout
            return 0
        if kind == "progress":
            w.best = payload
            f = self.pending.get(idx)
            if f is not None:
                f.source, f.calls = payload
                f.shrunk = True
            return 0
        if kind == "shrunk":
            src, calls, d = payload
            f = self.pending.pop(idx, None)
            if f is not None:
                if d["status"] == f.kind:
                    f.source, f.calls, f.describe = src, calls, d["describe"]
                    f.expected, f.observed = d["expected"], d["observed"]
                    f.shrunk = True
                else:  # the shrunk program does not fail any more: keep the original
                    p = self._program(idx)
                    f.source, f.calls, f.shrunk = p.source, p.calls, False
                    f.describe += f"\n(a shrunk version failed while shrinking but {d['status']} on the final check: flaky?)"
                self._write(f)
            w.index = None
            return 1
        if kind == "done":
            f = self.pending.pop(idx, None)
            if f is not None:
                self._write(f)
            w.index = None
            return 1
        if kind == "error":
            self.summary.fuzzer_errors.append((idx, payload))
            self.summary.programs += 1
            self.summary.statuses["fuzzer_error"] += 1
            w.index = None
            return 1
        return 0  # pragma: no cover

    def _worker_lost(self, w, died):
        idx = w.index
        f = self.pending.pop(idx, None)
        if f is not None:
            # lost while shrinking: keep the best reproducer seen so far
            if w.best is not None:
                f.source, f.calls = w.best
                f.shrunk = True
            f.describe += f"\n(the worker {'died' if died else 'timed out'} while shrinking)"
            self._write(f)
        else:
            kind = "crash" if died else "hang"
            why = (f"the worker died (exit code {w.proc.exitcode})" if died
                   else f"no result within {self.hard_timeout:.0f}s")
            self.summary.programs += 1
            self.summary.statuses[kind] += 1
            self._fail(kind, idx, f"{kind}: {why}")
        w.index = None
        return 1

    def _shrink_crashes(self):
        """Shrink crashing/hanging programs in forked children (a few per run)."""
        if self.shrink_budget <= 0:
            return
        budget_each = self.shrink_budget
        shrunk = 0
        from .shrink import Shrinker

        for f in self.summary.failures:
            if f.kind not in ("crash", "hang") or f.shrunk or shrunk >= 3:
                continue
            shrunk += 1
            kind = f.kind
            compiler = oracle.compiler_for_mode((self.selftest if isinstance(self.selftest, str) else "1")
                                                if self.selftest else os.environ.get("JIT_FUZZ_SELFTEST", ""))
            to = min(self.timeout, 5.0)

            hard = min(self.hard_timeout, to * 3 + 30)

            def interesting(src, calls):
                return oracle.check_isolated(src, calls, compiler, timeout=to, hard_timeout=hard).status == kind

            if self.progress:
                print(f"shrinking {kind} at index {f.index} ...", file=sys.stderr)
            p = self._program(f.index)
            sh = Shrinker(interesting, budget=budget_each, weights=self.weights, swarm=self.swarm)
            if not interesting(p.source, p.calls):
                f.describe += "\n(did not reproduce in a fresh process)"
                continue
            src, calls = sh.run(p.source, p.calls, p.buffer)
            f.source, f.calls, f.shrunk = src, calls, True

    def _draw(self, done, t0):
        n = max(1, self.n)
        width = 30
        fill = int(width * done / n)
        st = self.summary.statuses
        rate = done / max(1e-9, time.monotonic() - t0)
        line = (f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{self.n} "
                f"ok {st.get('ok', 0)} div {st.get('divergence', 0)} crash {st.get('crash', 0)} "
                f"hang {st.get('hang', 0)} unsup {st.get('unsupported', 0)} inv {st.get('invalid', 0)} "
                f"{rate:.1f}/s ")
        if sys.stderr.isatty():
            sys.stderr.write(line)
        else:
            # one line per 10% when not on a terminal
            step = max(1, n // 10)
            if done // step != getattr(self, "_last_step", -1) or done == self.n:
                self._last_step = done // step
                sys.stderr.write(line.lstrip("\r") + "\n")
        sys.stderr.flush()


def run(programs, seed, **kw) -> Summary:
    return Campaign(programs, seed, **kw).run()
