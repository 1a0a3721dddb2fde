"""Benchmark comparison of ``jit`` against the CPython interpreter.

Run it as ``python -m bench`` from the repository root (``scripts/bench`` sets
up the virtual environment first); ``python -m bench --help`` lists the
options.  The pieces:

``bench.programs``  the benchmark programs, one module each (see its docstring
                    for what a program module must define);
``bench.harness``   loading programs, compiling them, timing interpreter and
                    compiled code interleaved in one process, checking results;
``bench.report``    the terminal table, the JSON file and the PNG chart;
``bench.cli``       the command line (``python -m bench``).

Benchmarks are not tests: this package measures.  ``tests/test_bench_harness.py``
tests the harness itself (never timings).
"""
