"""python -m jit.fuzz --programs N --seed S [--jobs J] [--out DIR] ...

Runs a differential fuzzing campaign (see jit/fuzz/campaign.py) and prints a
summary; exit status 1 if any divergence, crash, hang or compiler crash was
found.  Other modes:

    python -m jit.fuzz --show --seed S --index I    print one generated program
    python -m jit.fuzz --check FILE.py [FILE.py...] run reproducer files through the oracle
"""
from __future__ import annotations

import argparse
import os
import sys

from .generator import FEATURES


def parse_weights(text):
    weights = {}
    if not text:
        return None
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        if name not in FEATURES:
            raise SystemExit(f"unknown feature {name!r}; known: {', '.join(sorted(FEATURES))}")
        weights[name] = float(value) if value else 1.0
    return weights


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m jit.fuzz", description="differential fuzzing of jit.compile")
    ap.add_argument("--programs", "-n", type=int, default=200, help="number of programs (default 200)")
    ap.add_argument("--seed", "-s", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="first program index (default 0)")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: CPU count)")
    ap.add_argument("--out", "-o", default="fuzz-out", help="directory for reproducers and summary.json")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-program time limit in seconds")
    ap.add_argument("--shrink-budget", type=float, default=60.0, help="seconds to shrink one failure (0: no shrinking)")
    ap.add_argument("--max-shrinks", type=int, default=2, help="failures shrunk per distinct signature")
    ap.add_argument("--weights", default="", help="feature weights, e.g. 'float=2,classes=0' (features: "
                    + ", ".join(sorted(FEATURES)) + ")")
    ap.add_argument("--no-swarm", action="store_true", help="do not switch random feature subsets off per program")
    ap.add_argument("--selftest", nargs="?", const="1", default=None, metavar="MODE",
                    help="'compile' with the interpreter (checks the oracle); MODE crash:NAME, hang:NAME or "
                    "miscompile injects faults (checks the fuzzer)")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    ap.add_argument("--show", action="store_true", help="print program --index of --seed and exit")
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--check", nargs="*", metavar="FILE", help="run reproducer files through the oracle")
    ap.add_argument("--shrink", metavar="FILE", help="shrink a reproducer file (writes FILE.min.py); "
                    "the time limit is --shrink-budget")
    args = ap.parse_args(argv)
    weights = parse_weights(args.weights)

    if args.selftest:
        os.environ["JIT_FUZZ_SELFTEST"] = args.selftest
    if args.show:
        from .generator import program_from_seed

        p = program_from_seed(args.seed, args.index, weights, not args.no_swarm)
        print(p.source)
        print("CALLS =", p.calls_source)
        print("# features:", ", ".join(sorted(p.features)))
        return 0
    if args.shrink:
        from .oracle import check_isolated, load_reproducer, reproducer_text
        from .shrink import Shrinker

        source, calls = load_reproducer(args.shrink)
        first = check_isolated(source, calls, timeout=args.timeout)
        print(f"{args.shrink}: {first.status}")
        if not first.failed:
            return 0
        status = first.status
        out = args.shrink[:-3] + ".min.py" if args.shrink.endswith(".py") else args.shrink + ".min.py"

        def interesting(src, cs):
            return check_isolated(src, cs, timeout=min(args.timeout, 5.0)).status == status

        def improved(src, cs):
            with open(out, "w") as fh:
                fh.write(reproducer_text(src, cs, origin=f"shrunk from {args.shrink}"))
            print(f"  {len(src)} characters", file=sys.stderr)

        src, cs = Shrinker(interesting, budget=args.shrink_budget, on_improve=improved).run(source, calls)
        final = check_isolated(src, cs, timeout=args.timeout)
        if final.status != status:
            print(f"the shrunk program gave {final.status} on the final check (flaky?); keeping the original")
            src, cs, final = source, calls, first
        with open(out, "w") as fh:
            fh.write(reproducer_text(src, cs, final, origin=f"shrunk from {args.shrink}"))
        print(src)
        print(final.describe())
        print(f"written to {out}")
        return 0
    if args.check is not None:
        from .oracle import check_file

        bad = 0
        for path in args.check:
            res = check_file(path, isolate=True)
            print(f"{path}: {res.status}")
            if res.failed:
                bad += 1
                print("  " + res.describe().replace("\n", "\n  "))
        return 1 if bad else 0

    from .campaign import Campaign

    summary = Campaign(args.programs, args.seed, jobs=args.jobs, out=args.out, timeout=args.timeout,
                       shrink_budget=args.shrink_budget, max_shrinks_per_signature=args.max_shrinks,
                       weights=weights, swarm=not args.no_swarm, selftest=args.selftest,
                       progress=not args.quiet, start=args.start).run()
    print(summary.report())
    print(f"\nreproducers and summary.json in {args.out}/")
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
