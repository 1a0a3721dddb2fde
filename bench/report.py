"""Presenting a report from ``bench.harness.run_suite``: table, JSON, PNG chart."""
from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Optional

DASH = "\u2014"


def fmt_ms(seconds: Optional[float], signed: bool = False) -> str:
    if seconds is None:
        return DASH
    ms = seconds * 1000.0
    a = abs(ms)
    if a >= 100:
        s = f"{ms:.0f}"
    elif a >= 10:
        s = f"{ms:.1f}"
    elif a >= 1:
        s = f"{ms:.2f}"
    else:
        s = f"{ms:.3f}"
    if signed and ms >= 0:
        s = "+" + s
    return s


def fmt_ratio(x: Optional[float]) -> str:
    if x is None:
        return DASH
    if x >= 100:
        return f"{x:.0f}x"
    if x >= 10:
        return f"{x:.1f}x"
    return f"{x:.2f}x"


def jit_state(prog: dict) -> str:
    """What the compiler did: compiled / fell back (k of n) / error / ?."""
    c = prog["compiled"]
    if c["error_phase"] in ("load", "compile"):
        return "compile error"
    fb = c["fallback_functions"]
    total = len(c["compile_per_function_s"])
    if fb:
        return "fell back" if len(fb) == total else f"fell back {len(fb)}/{total}"
    if c["fell_back"] is None:
        return "?"
    return "compiled"


def result_state(prog: dict) -> str:
    s = prog["status"]
    if s == "ok":
        return "ok"
    if s == "ERROR":
        return f"ERROR ({prog['compiled']['error_type']})"
    return s  # WRONG, BROKEN


def numba_cells(prog: dict) -> list:
    nb = prog.get("numba")
    if nb is None:
        return []
    if nb["skipped"]:
        return [f"{DASH} n/a", DASH, DASH]
    if nb["error"]:
        return [f"{DASH} {nb['error_type']}", DASH, DASH]
    if nb["result_ok"] is False:
        return [f"{fmt_ms(nb['median_s'])} WRONG", fmt_ratio(prog["numba_speedup"]),
                fmt_ms(nb["first_call_overhead_s"], signed=True)]
    return [fmt_ms(nb["median_s"]), fmt_ratio(prog["numba_speedup"]),
            fmt_ms(nb["first_call_overhead_s"], signed=True)]


HEADERS = ["program", "group", "n", "interp ms", "{name} ms", "speedup", "compile ms",
           "1st call +ms", "result", "{name}"]
NUMBA_HEADERS = ["numba ms", "numba x", "numba 1st +ms"]
_LEFT = {0, 1, 8, 9}  # text columns (by index)


def _render(headers, rows) -> list:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells):
        out = []
        for i, (c, w) in enumerate(zip(cells, widths)):
            out.append(c.ljust(w) if i in _LEFT else c.rjust(w))
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return [line(headers), sep] + [line(r) for r in rows]


def format_table(report: dict) -> str:
    progs = report["programs"]
    with_numba = report["settings"].get("numba") and any(p.get("numba") for p in progs)
    name = report["settings"].get("compiler") or "compiled"
    headers = [h.format(name=name) for h in HEADERS] + (NUMBA_HEADERS if with_numba else [])
    rows = []
    for p in progs:
        c, i = p["compiled"], p["interpreter"]
        row = [p["name"], p["group"], str(p["n"]), fmt_ms(i["median_s"]), fmt_ms(c["median_s"]),
               fmt_ratio(p["speedup"]), fmt_ms(c["compile_s"]),
               fmt_ms(c["first_call_overhead_s"], signed=True), result_state(p), jit_state(p)]
        if with_numba:
            row += numba_cells(p) or [DASH] * 3
        rows.append(row)
    lines = _render(headers, rows)
    done = {p["repeats"] for p in progs}
    rounds = str(done.pop()) if len(done) == 1 else f"up to {report['settings']['repeats']}"
    lines.append(f"(medians of {rounds} interleaved rounds; compile ms: "
                 f"the {name} compile calls; 1st call +ms: first call minus median)")
    startup = report.get("startup_s") or {}
    if any(v is not None for v in startup.values()):
        parts = [f"{name if k == 'compiled' else k} {fmt_ms(v)} ms" for k, v in startup.items()
                 if v is not None]
        lines.append("(start-up, once per process before the programs, in none of the "
                     "times above: " + ", ".join(parts) + ")")

    s = report["summary"]
    lines.append("")
    lines.append("geometric mean of speedups (interpreter time / compiled time; "
                 "correct results only):")
    for g, d in s["groups"].items():
        text = f"  {g:<8} {name} {fmt_ratio(d['speedup_geomean']):>7} " \
               f"{'(%d of %d)' % (d['speedup_count'], d['programs']):<10}"
        if with_numba:
            text += f"   numba {fmt_ratio(d['numba_speedup_geomean']):>7} " \
                    f"({d['numba_count']} of {d['programs']})"
        lines.append(text.rstrip())

    sections = [bad_result_notes(progs), fallback_notes(progs, name), numba_notes(progs)]
    st = report["settings"]
    if st.get("numba_note") and st["numba_note"] != "disabled":
        sections.append([f"numba column omitted: {st['numba_note']}"])
    for sec in sections:
        if sec:
            lines.append("")
            lines.extend(sec)
    return "\n".join(lines)


def bad_result_notes(progs) -> list:
    notes = []
    for p in progs:
        c = p["compiled"]
        if p["status"] == "WRONG":
            notes.append(f"WRONG  {p['name']}: interpreter gave {p['interpreter']['result']}, "
                         f"compiled gave {c['mismatch']}")
        elif p["status"] == "ERROR":
            notes.append(f"ERROR  {p['name']} ({c['error_phase']}): {c['error']}")
        elif p["status"] == "BROKEN":
            i = p["interpreter"]
            why = i["error"] or f"not deterministic: {i['result']} then {i['mismatch']}"
            notes.append(f"BROKEN {p['name']} (the program itself): {why}")
    return notes


def fallback_notes(progs, name) -> list:
    """Fallbacks grouped by reason (first line of the explanation)."""
    why = {}
    for p in progs:
        c = p["compiled"]
        fb = c["fallback_functions"]
        if not fb:
            continue
        reasons = {}
        for f in fb:
            text = (c["explain"].get(f) or "").strip().splitlines()
            # Drop the function's own name so that equal reasons group together.
            reason = text[0].replace(f"{f}: ", "").strip()[:160] if text else ""
            reasons.setdefault(reason or "(no explanation)", []).append(f)
        total = len(c["compile_per_function_s"])
        for reason, funcs in reasons.items():
            where = why.setdefault(reason, [])
            if len(funcs) == total:
                where.append(p["name"] if total == 1 else f"{p['name']} (all {total})")
            else:
                where.extend(f"{p['name']}.{f}" for f in funcs)
    notes = []
    if why:
        notes.append(f"fell back to the interpreter ({name} explains):")
        for reason, where in why.items():
            notes.append(f"  {reason}")
            notes.extend(textwrap.wrap(", ".join(where), 100, initial_indent="      ",
                                       subsequent_indent="      "))
    return notes


def numba_notes(progs) -> list:
    notes = []
    for p in progs:
        nb = p.get("numba")
        if nb and nb["error"]:
            notes.append(f"numba  {p['name']} ({nb['error_phase']}): {nb['error'][:150]}")
        elif nb and nb["result_ok"] is False:
            notes.append(f"numba  {p['name']}: different result {nb['mismatch']} "
                         f"(interpreter {p['interpreter']['result']}); not counted")
    return notes


def write_json(report: dict, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, allow_nan=False)
        f.write("\n")
    return path


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except Exception:
        return False
    return True


def write_chart(report: dict, path) -> Path:
    """A bar chart of the speedups (log scale).  Raises ImportError without
    matplotlib.  Uses the Agg canvas directly, never pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    progs = report["programs"]
    names = [p["name"] for p in progs]
    ours = [p["speedup"] if p["status"] == "ok" else None for p in progs]
    with_numba = any(p.get("numba_speedup") for p in progs)
    theirs = [p.get("numba_speedup") if p.get("numba") and p["numba"]["result_ok"] else None
              for p in progs]

    fig = Figure(figsize=(max(8.0, 0.55 * len(progs) + 2.5), 5.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.4 if with_numba else 0.7
    xs = list(range(len(progs)))
    off = width / 2 if with_numba else 0.0
    colors = {"numeric": "#1f77b4", "object": "#2ca02c"}

    def bars(values, shift, color_for, label, hatch=None):
        pts = [(x + shift, v, p) for x, v, p in zip(xs, values, progs) if v]
        if not pts:
            return
        # Bars grow from 1.0 (no change): up for speedups, down for slowdowns.
        ax.bar([q[0] for q in pts], [q[1] - 1.0 for q in pts], bottom=1.0, width=width,
               color=[color_for(q[2]) for q in pts], label=label, hatch=hatch,
               edgecolor="black", linewidth=0.4)
        for x, v, _ in pts:
            ax.annotate(fmt_ratio(v), (x, v), ha="center",
                        va="bottom" if v >= 1 else "top", fontsize=7,
                        xytext=(0, 2 if v >= 1 else -2), textcoords="offset points")

    bars(ours, -off, lambda p: colors.get(p["group"], "grey"), "jit")
    if with_numba:
        bars(theirs, off, lambda p: "#ff7f0e", "numba.njit", hatch="//")

    # Mark programs without a bar.
    for x, p, v in zip(xs, progs, ours):
        if v is None:
            label = {"ok": "n/a"}.get(p["status"], p["status"])
            ax.annotate(label, (x - off, 1.0), ha="center", va="bottom", fontsize=7,
                        color="red", rotation=90, xytext=(0, 3), textcoords="offset points")

    if with_numba:
        for x, p, v in zip(xs, progs, theirs):
            nb = p.get("numba")
            if v is None and nb is not None:
                label = "n/a" if nb["skipped"] else (nb["error_type"] or
                                                     ("WRONG" if nb["result_ok"] is False else "n/a"))
                ax.annotate(f"numba: {label}", (x + off, 1.0), ha="center", va="bottom",
                            fontsize=6, color="grey", rotation=90, xytext=(0, 3),
                            textcoords="offset points")

    vals = [v for v in ours + theirs if v]
    lo = min(vals + [0.8]) / 1.6   # at least 0.5x .. 2x, so ticks show
    hi = max(vals + [1.25]) * 1.8
    ax.set_yscale("log")
    ax.set_ylim(lo, hi)
    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(xs)
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.7, len(progs) - 0.3)
    ax.set_ylabel("speedup over the interpreter (log scale)")
    # Group boundaries.
    for k in range(1, len(progs)):
        if progs[k]["group"] != progs[k - 1]["group"]:
            ax.axvline(k - 0.5, color="grey", linestyle="--", linewidth=0.8)
    m = report["machine"]
    st = report["settings"]
    gm = report["summary"]["groups"]
    sub = ", ".join(f"{g} geomean {fmt_ratio(d['speedup_geomean'])}"
                    for g, d in gm.items() if g != "all")
    ax.set_title(f"{st.get('compiler')} vs CPython {m['python']} interpreter "
                 f"({st.get('mode') or st.get('size')} mode)\n{sub}", fontsize=10)
    handles = [Patch(facecolor=c, edgecolor="black", label=f"{st.get('compiler')} ({g})")
        for g, c in colors.items() if any(p["group"] == g for p in progs)]
    if with_numba:
        handles.append(Patch(facecolor="#ff7f0e", hatch="//", edgecolor="black", label="numba.njit"))
    ax.legend(handles=handles, fontsize=8, loc="upper left")
    ax.grid(axis="y", which="both", alpha=0.25)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def is_finite_report(report: dict) -> bool:
    """Whether every float in the report is finite (JSON forbids nan/inf)."""
    def walk(x):
        if isinstance(x, float):
            return math.isfinite(x)
        if isinstance(x, dict):
            return all(walk(v) for v in x.values())
        if isinstance(x, list):
            return all(walk(v) for v in x)
        return True
    return walk(report)
