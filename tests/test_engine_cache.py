"""The object-code cache: a second process links cached objects instead of
compiling, with the same behaviour; damaged entries are recompiled."""
import os
import subprocess
import sys

PROGRAM = r"""
import time, jit
from jit import engine
calls = []
real = engine.parse
engine.parse = lambda text: calls.append(1) or real(text)
def kernel(n):
    acc = 0.0
    for i in range(n):
        acc += i * 0.5 - (i % 7)
    return acc
f = jit.compile(kernel)
print(repr(f(1000)), repr(f(10)), len(calls))
"""


def _run(cache_dir, **env):
    out = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                         env={**os.environ, "JIT_CACHE_DIR": str(cache_dir), **env},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    value, small, parsed = out.stdout.split()
    return value, small, int(parsed)


def _entries(cache_dir):
    return [os.path.join(d, f) for d, _, fs in os.walk(cache_dir) for f in fs if f.endswith(".o")]


def test_second_process_links_cached_objects(tmp_path):
    first = _run(tmp_path)
    assert first[2] > 0 and _entries(tmp_path)
    second = _run(tmp_path)
    assert second[:2] == first[:2]
    assert second[2] == 0           # nothing parsed, optimised or generated again


def test_damaged_entries_are_recompiled(tmp_path):
    first = _run(tmp_path)
    for path in _entries(tmp_path):
        with open(path, "r+b") as fh:
            fh.seek(100)
            fh.write(b"\xff" * 16)
    again = _run(tmp_path)
    assert again[:2] == first[:2] and again[2] == first[2]


def test_cache_can_be_turned_off(tmp_path):
    first = _run(tmp_path, JIT_CACHE="0")
    assert first[2] > 0 and not _entries(tmp_path)


def test_cache_is_pruned_to_its_size(tmp_path, monkeypatch):
    from jit import engine
    for i in range(40):
        sub = tmp_path / f"{i:02x}"
        sub.mkdir()
        (sub / f"{i:064x}.o").write_bytes(b"x" * 100_000)
        os.utime(sub / f"{i:064x}.o", (1000 + i, 1000 + i))
    monkeypatch.setenv("JIT_CACHE_MB", "1")
    engine._prune(tmp_path)
    left = sorted(p.name for p in tmp_path.glob("*/*.o"))
    assert sum(p.stat().st_size for p in tmp_path.glob("*/*.o")) <= 0.8 * (1 << 20)
    assert left and left[-1] == f"{39:064x}.o"      # the most recently used stay
