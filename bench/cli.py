"""``python -m bench``: benchmark the compiler against the interpreter.

Every program runs in the interpreter and compiled, interleaved in this one
process; the table goes to stdout, progress to stderr, raw timings to a JSON
file and a bar chart of the speedups to a PNG (under bench/results/ unless
--json/--png say otherwise).  Exit status: 0, or 1 if a compiled program gave
a wrong result or raised (or a program itself is broken), 2 on a usage error
or when the compiler cannot be imported.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import faulthandler
import sys
import time
from pathlib import Path

from . import harness, report


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Compare jit-compiled programs with the CPython interpreter "
                    "(and numba.njit when it is installed).",
        epilog="Quick mode (the default) uses small sizes and few repeats; --full "
               "uses full sizes and more repeats.")
    p.add_argument("--full", action="store_true",
                   help="full sizes (~0.2-1 s a call in the interpreter) and more repeats")
    p.add_argument("-k", dest="patterns", action="append", metavar="PATTERN", default=[],
                   help="only programs whose name contains PATTERN, or whose group is "
                        "PATTERN (numeric, object); repeatable")
    p.add_argument("--json", metavar="PATH", help="where to write the JSON report "
                   "(default: bench/results/bench-<time>-<mode>.json)")
    p.add_argument("--png", metavar="PATH", help="where to write the chart "
                   "(default: next to the JSON file)")
    p.add_argument("--no-numba", action="store_true", help="do not run numba even if installed")
    p.add_argument("--repeats", type=int, metavar="N",
                   help="interleaved timed rounds per program (quick 5, full 9)")
    p.add_argument("--warmup", type=int, metavar="N",
                   help="untimed calls after the first call (quick 1, full 2)")
    p.add_argument("--budget", type=float, metavar="SECONDS",
                   help="at most about this long per program: fewer rounds when calls "
                        "are slow (quick 10, full 90; 0 = no limit)")
    p.add_argument("--compiler", default="jit", metavar="SPEC",
                   help="jit (default), identity (no compilation: a self-check of the "
                        "harness), numba, or module:attribute naming a compile function")
    p.add_argument("--list", action="store_true", help="list the programs and exit")
    return p


class Progress:
    """One status line on stderr (rewritten in place on a terminal)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()
        self.program_started = self.started
        self.current = None
        self.index, self.total = 0, 0

    def __call__(self, i, total, name, phase):
        now = time.perf_counter()
        if name != self.current:
            self.current, self.program_started = name, now
        self.index, self.total = i, total
        if self.tty:
            text = f"[{i + 1:>2}/{total}] {name}: {phase}  ({now - self.started:.0f} s)"
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()

    def result(self, rec):
        """One line per finished program (kept on screen)."""
        took = time.perf_counter() - self.program_started
        status = rec["status"] if rec["status"] != "ok" else report.jit_state(rec)
        line = (f"[{self.index + 1:>2}/{self.total}] {rec['name']:<16} "
                f"{report.fmt_ratio(rec['speedup']):>7}  {status}  ({took:.1f} s)")
        self.stream.write(("\r\x1b[K" if self.tty else "") + line + "\n")
        self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(f"done in {time.perf_counter() - self.started:.1f} s\n")
        self.stream.flush()


def main(argv=None, compile_fn=None) -> int:
    """Entry point.  ``compile_fn`` (for tests) overrides --compiler."""
    args = build_parser().parse_args(argv)
    mode = "full" if args.full else "quick"
    settings = dict(harness.MODES[mode])
    if args.repeats is not None:
        if args.repeats < 1:
            print("bench: --repeats must be at least 1", file=sys.stderr)
            return 2
        settings["repeats"] = args.repeats
    if args.warmup is not None:
        settings["warmup"] = max(0, args.warmup)
    if args.budget is not None:
        settings["time_budget"] = args.budget if args.budget > 0 else None

    try:
        programs = harness.discover(args.patterns)
    except harness.ProgramError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for p in programs:
            print(f"{p.name:<22} {p.group:<8} quick={p.sizes['quick']:<8} "
                  f"full={p.sizes['full']:<8} {p.description}")
        return 0
    if not programs:
        print(f"bench: no program matches {' '.join(args.patterns)!r} "
              f"(known: {', '.join(harness.program_names())})", file=sys.stderr)
        return 2

    if compile_fn is None:
        try:
            compile_fn = harness.compiler_from_spec(args.compiler)
        except Exception as exc:
            print(f"bench: cannot load the compiler {args.compiler!r}: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
            if args.compiler == "jit":
                print("bench: (--compiler identity runs the harness without compiling)",
                      file=sys.stderr)
            return 2

    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path = Path(args.json) if args.json else \
        harness.RESULTS_DIR / f"bench-{stamp}-{mode}.json"
    png_path = Path(args.png) if args.png else json_path.with_suffix(".png")

    if not faulthandler.is_enabled():
        try:
            faulthandler.enable()  # a crash in compiled code still says where it was
        except (AttributeError, OSError, ValueError):  # stderr without a file descriptor
            pass
    progress = Progress()
    try:
        rep = harness.run_suite(programs, compile_fn, size=settings["size"],
                                repeats=settings["repeats"], warmup=settings["warmup"],
                                time_budget=settings["time_budget"], mode=mode,
                                numba=False if args.no_numba else None,
                                progress=progress, on_result=progress.result)
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130
    finally:
        progress.close()

    print(report.format_table(rep))
    print()
    m = rep["machine"]
    comp = " ".join(filter(None, [rep["settings"]["compiler"], m["jit"]]))
    print(f"CPython {m['python']}, llvmlite {m['llvmlite']} (LLVM {m['llvm']}), "
          f"{comp}, numba {m['numba'] or 'not used'}; "
          f"{mode} mode, {settings['repeats']} interleaved rounds, {rep['elapsed_s']:.0f} s")
    report.write_json(rep, json_path)
    print(f"JSON:  {json_path}")
    if report.matplotlib_available():
        try:
            report.write_chart(rep, png_path)
            print(f"chart: {png_path}")
        except Exception as exc:  # a chart problem must not hide the results
            print(f"chart: not written ({type(exc).__name__}: {exc})")
    else:
        print("chart: matplotlib is not installed, no PNG written "
              "(pip install matplotlib, or the 'bench' extra)")

    s = rep["summary"]
    if not s["ok"]:
        parts = []
        if s["wrong"]:
            parts.append("WRONG results: " + ", ".join(s["wrong"]))
        if s["errors"]:
            parts.append("errors in compiled code: " + ", ".join(s["errors"]))
        if s["broken"]:
            parts.append("broken programs: " + ", ".join(s["broken"]))
        print("bench: FAILED -- " + "; ".join(parts), file=sys.stderr)
        return 1
    return 0
