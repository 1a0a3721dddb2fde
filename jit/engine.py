"""Engine: LLVM IR text -> optimised native code in one shared ORC LLJIT.

Every external symbol a module uses must be named in ``imports`` with a
non-zero address: llvmlite is silent about unresolved symbols until the call
crashes, so we never let the JIT search the process for them.

Object code is cached on disk, keyed on the IR text and everything else that
shapes the machine code (levels, pass pipeline, LLVM, host CPU, Python): the
code refers to C-API functions and to Python objects only through imported
symbols and constants tables patched after loading, so an object made by one
process links into another. A hit costs a file read instead of LLVM's parse,
optimisation and code generation. ``JIT_CACHE_DIR`` says where (default
``$XDG_CACHE_HOME/jit`` or ``~/.cache/jit``); ``JIT_CACHE=0`` turns it off;
``JIT_CACHE_MB`` bounds its size (default 256): past it, the least recently used
entries go.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from runtime.own_builtins import AsImported, as_imported
from runtime.capi import lasting
import atexit
import gc
import hashlib
import itertools
import os
import sys
import tempfile
import threading
import weakref
import zlib
from pathlib import Path

import llvmlite.binding as llvm

from .errors import CompileError, UnsupportedError

# Re-entrant: a compile runs Python code (llvmlite's wrappers), where the collector may
# run a finaliser that calls a compiled function for the first time, which compiles
_lock = threading.RLock()
_state = None
_counter = itertools.count()


class _State:
    def __init__(self):
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        llvm.initialize_native_asmparser()
        target = llvm.Target.from_default_triple()
        cpu = llvm.get_host_cpu_name()
        features = llvm.get_host_cpu_features().flatten()
        # Target machines for object emission by codegen level, and one owned by the
        # JIT (a TargetMachine must not be shared: the JIT takes ownership of it).
        self.tms = {lvl: target.create_target_machine(cpu=cpu, features=features, opt=lvl,
                                                      codemodel="jitdefault", jit=True)
                    for lvl in (0, 1, 2)}
        self.tm = self.tms[2]
        jit_tm = target.create_target_machine(cpu=cpu, features=features, opt=2,
                                              codemodel="jitdefault", jit=True)
        self.lljit = llvm.create_lljit_compiler(jit_tm)
        self.triple = target.triple if hasattr(target, "triple") else llvm.get_process_triple()
        self.data_layout = str(self.tm.target_data)
        self.pto = llvm.create_pipeline_tuning_options(speed_level=2)
        self.pb = llvm.create_pass_builder(self.tm, self.pto)


def state() -> _State:
    global _state
    if _state is None:
        with _lock:
            if _state is None:
                _state = _State()
    return _state


# Machine code is freed only once nothing can run it any more. A library's tracker
# (llvmlite frees the code when it is closed or dies) lives in _trackers, out of the
# collector's reach: it finalises a cycle's members in any order, so a tracker in the
# garbage could go before a finaliser of the same garbage calls a compiled function
# of it (a compiled __del__ of an object in a cycle: a jump into freed code). When
# the Library dies, a weak reference to it lands in _retired (its callback is the
# list's append: no Python code runs then, where a signal handler's exception would
# be lost); sweep() closes the tracker once the Library's token is held by that
# reference only -- the Library gone for good, not brought back by a finaliser --
# and a collection has finished since that was first seen (the collector clears a
# cycle's members one by one: the Library's token goes while a function object of
# the cycle may still run in a finaliser, and another thread may sweep meanwhile),
# before each compile.
# (kept when this module's dict is cleared at exit: a late finaliser may still call
# compiled code)
_trackers: dict = lasting({})
_refs: dict = {}             # tracker key -> _LibraryRef (alive until its Library dies)
_retired: list = []          # the _LibraryRefs of Libraries that died
_keys = itertools.count()


class _Token:
    __slots__ = ()


class _LibraryRef(weakref.ref):
    __slots__ = ("token", "key", "seen")


def sweep() -> None:
    """Close the trackers of Libraries that are gone (not while a compile holds the
    lock: the next compile does it)."""
    if not _retired or not _lock.acquire(blocking=False):
        return
    try:
        finished = sum(s["collections"] for s in gc.get_stats())
        still = []
        for ref in _retired:
            if sys.getrefcount(ref.token) > 2:       # (the ref's and the argument's)
                still.append(ref)                     # its Library is alive again
            elif ref.seen is None or ref.seen >= finished:
                ref.seen = finished if ref.seen is None else ref.seen
                still.append(ref)
            else:
                del _refs[ref.key]
                _trackers.pop(ref.key).close()
        _retired[:] = still
    finally:
        _lock.release()


class Library:
    """Native code of one compiled module; freed after this object dies (sweep)."""

    def __init__(self, tracker, name: str, llvm_ir: str, opt_level: int):
        self._key = next(_keys)
        _trackers[self._key] = tracker
        self._token = _Token()
        ref = _refs[self._key] = _LibraryRef(self, _retired.append)
        ref.token, ref.key, ref.seen = self._token, self._key, None
        self.name = name
        self.llvm_ir = llvm_ir
        self.opt_level = opt_level

    # the IR text, kept for the text forms (show, explain, tests), compressed: it is
    # ~40 KB a module and rarely read
    llvm_ir = property(lambda self: zlib.decompress(self._packed_ir).decode(),
                       lambda self, text: setattr(self, "_packed_ir", zlib.compress(text.encode(), 1)))

    @property
    def optimized_ir(self) -> str:
        """The optimised IR, made again on request (printing it on every compile
        cost more than some whole compiles)."""
        with AsImported(), _lock:
            _check_open()
            return str(optimize(parse(self.llvm_ir), self.opt_level))

    def address(self, symbol: str) -> int:
        addr = _trackers[self._key][symbol]
        if not addr:
            raise CompileError(f"symbol {symbol!r} was not emitted")
        return addr


def parse(llvm_ir: str):
    st = state()
    try:
        mod = llvm.parse_assembly(llvm_ir)
        mod.triple = llvm.get_process_triple()
        mod.data_layout = st.data_layout
        mod.verify()
    except RecursionError:       # (called too deep: not the IR's fault)
        raise
    except RuntimeError as exc:  # an internal error: our lowering emitted bad IR
        raise CompileError(f"LLVM rejected the generated IR: {exc}") from None
    return mod


def optimize(mod, level: int = 1):
    """level 1: a short pipeline (inline the refcount helpers, promote frame slots,
    simplify) — object-level code is call-bound, so more buys little and costs a
    lot of compile time; level 2: LLVM's full O2, for unboxed numeric code."""
    st = state()
    if level >= 3:
        st.pb.getModulePassManager().run(mod, st.pb)
    elif level == 2:
        # specialised code: promote, fold and simplify; LLVM's whole O2 pipeline
        # costs ~2x the compile time for the same loops here, and NewGVN (a quarter of
        # this pipeline's time) left the bench kernels' machine code as fast without it
        pm = llvm.create_new_module_pass_manager()
        pm.add_always_inliner_pass()
        pm.add_sroa_pass()
        pm.add_instruction_combine_pass()
        pm.add_simplify_cfg_pass()
        pm.add_jump_threading_pass()   # (through the raw-result phis of inlined calls)
        pm.add_sroa_pass()    # again: frames reached through phis (native ranges) now split
        pm.add_sccp_pass()
        pm.add_instruction_combine_pass()
        pm.add_simplify_cfg_pass()
        pm.add_dead_code_elimination_pass()
        # inlined callees' own copies, referenced only by now-folded checks: code
        # generation would otherwise emit each of them once more
        pm.add_global_dead_code_eliminate_pass()
        pm.run(mod, st.pb)
    else:
        # level 0 (huge functions): only inline the refcount helpers
        pm = llvm.create_new_module_pass_manager()
        pm.add_always_inliner_pass()
        if level == 1:
            pm.add_sroa_pass()
            pm.add_instruction_combine_pass()
            pm.add_simplify_cfg_pass()
            pm.add_dead_code_elimination_pass()
        pm.run(mod, st.pb)
    return mod


# LLVM's passes and code generator need more C stack than a thread may have left
# (a thread made with a small threading.stack_size, or one deep in C recursion):
# they run on a thread of their own with a big stack, the caller waiting.
COMPILE_STACK_BYTES = 64 << 20
_worker: tuple | None = None       # (pid, thread, job queue)


def _on_compile_thread(fn, *args):
    """fn(*args) on the compile thread (made on first use, and again after a fork);
    its exception is raised here."""
    global _worker
    import queue
    if _worker is not None and threading.current_thread() is _worker[1]:
        return fn(*args)
    with _lock:
        if _worker is None or _worker[0] != os.getpid():
            jobs: queue.SimpleQueue = queue.SimpleQueue()
            saved = threading.stack_size()
            threading.stack_size(COMPILE_STACK_BYTES)
            try:
                thread = threading.Thread(target=_compile_worker, args=(jobs,),
                                          name="jit-compile", daemon=True)
                thread.start()
            finally:
                threading.stack_size(saved)
            _worker = (os.getpid(), thread, jobs)
        jobs = _worker[2]
    done = threading.Event()
    box: list = []
    jobs.put((fn, args, box, done))
    done.wait()
    ok, value = box.pop()
    if ok:
        return value
    try:
        raise value
    finally:
        # (this frame is in the error's traceback: holding the error too would make
        # a cycle that keeps the callers' frames, and their arguments, until gc)
        del value


def _llvm_call_lock():
    """llvmlite's own lock around every LLVM call (None if it is not where it was)."""
    return getattr(getattr(getattr(llvm.ffi, "lib", None), "_lock", None), "_lock", None)


def _before_fork():
    # a fork waits for a compile, and any LLVM call, in progress: LLVM's state copied
    # in the middle of a change (a use list being rewritten) is broken in the child
    _lock.acquire()
    call_lock = _llvm_call_lock()
    if call_lock is not None:
        call_lock.acquire()


def _after_fork_in_parent():
    call_lock = _llvm_call_lock()
    if call_lock is not None:
        call_lock.release()
    _lock.release()


def _after_fork_in_child():
    # the compile thread stayed in the parent (the locks are the forking thread's
    # here, taken by _before_fork): the child starts afresh
    global _lock, _worker
    _lock = threading.RLock()
    _worker = None
    try:      # llvmlite's own lock around every LLVM call, held by it too
        llvm.ffi.lib._lock._lock = threading.RLock()
    except AttributeError:
        pass


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)


_closed = False


def _quiesce_at_exit():
    # LLVM's static destructors run when the process exits: a compile still running
    # on another thread (a daemon thread's) would run into them and abort. The lock
    # waits for it to finish; none starts after (a compile raises CompileError: what
    # the atexit handlers run after this one compile runs in the interpreter).
    global _closed
    with _lock:
        _closed = True


def _check_open():
    if _closed:      # (jit.compile falls back on it: the original runs)
        raise UnsupportedError("the interpreter is exiting: nothing compiles any more")


atexit.register(_quiesce_at_exit)


def _compile_worker(jobs):
    while True:
        fn, args, box, done = jobs.get()
        try:
            box.append((True, fn(*args)))
        except BaseException as exc:      # (handed to the caller, who raises it)
            box.append((False, exc))
        del fn, args
        done.set()


@as_imported      # (llvmlite's code, under a program's patched builtins: see there)
def compile_ir(llvm_ir: str, exports: list[str], imports: dict[str, int],
               opt_level: int = 1, codegen_level: int | None = None) -> Library:
    """Parse, verify, optimise and link ``llvm_ir``; return a Library. Machine code
    generation runs at ``codegen_level`` (0 or 2; by default 2 only with opt_level 2),
    on the compile thread (_on_compile_thread)."""
    return _on_compile_thread(_compile_ir, llvm_ir, exports, imports, opt_level, codegen_level)


def _compile_ir(llvm_ir: str, exports: list[str], imports: dict[str, int],
                opt_level: int, codegen_level: int | None) -> Library:
    if codegen_level is None:
        codegen_level = 2 if opt_level >= 2 else 0
    for name, addr in imports.items():
        if not addr:
            raise CompileError(f"C-API symbol {name!r} has no address in this interpreter")
    st = state()
    sweep()
    with _lock:
        _check_open()
        key = _cache_key(llvm_ir, opt_level, codegen_level)
        obj = _cache_read(key)
        if obj is None:
            mod = parse(llvm_ir)
            optimize(mod, opt_level)
            obj = st.tms[codegen_level].emit_object(mod)
            _cache_write(key, obj)
        name = f"jitlib{next(_counter)}"
        builder = llvm.JITLibraryBuilder().add_object_img(obj)
        for sym, addr in imports.items():
            builder.import_symbol(sym, addr)
        for sym in exports:
            builder.export_symbol(sym)
        try:
            tracker = builder.link(st.lljit, name)
        except RecursionError:
            raise
        except RuntimeError as exc:
            raise CompileError(f"linking native code failed: {exc}") from None
    return Library(tracker, name, llvm_ir, opt_level)


@as_imported
def assembly(llvm_ir: str, opt_level: int = 1) -> str:
    """Host assembly for ``llvm_ir`` (for `python -m jit show --stage asm`)."""
    return _on_compile_thread(_assembly, llvm_ir, opt_level)


def _assembly(llvm_ir: str, opt_level: int) -> str:
    st = state()
    with _lock:
        _check_open()
        mod = optimize(parse(llvm_ir), opt_level)
        return st.tms[2 if opt_level >= 2 else 0].emit_assembly(mod)


# ---- the object-code cache ------------------------------------------------------

_DIGEST = 32     # sha256 of the object, stored after it: a torn or altered file is a miss


def _cache_dir() -> Path | None:
    if os.environ.get("JIT_CACHE", "1") == "0":
        return None
    where = os.environ.get("JIT_CACHE_DIR")
    if where:
        return Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jit"


def _environment() -> str:
    """What besides the IR decides the machine code: levels are added per module."""
    global _environment_text
    if _environment_text is None:
        import llvmlite
        st = state()
        with open(__file__, "rb") as fh:       # the pass pipeline lives here
            pipeline = hashlib.sha256(fh.read()).hexdigest()
        _environment_text = "|".join([
            llvmlite.__version__, ".".join(map(str, llvm.llvm_version_info)), st.triple,
            llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten(),
            sys.version, pipeline])
    return _environment_text


_environment_text = None


def _cache_key(llvm_ir: str, opt_level: int, codegen_level: int) -> str | None:
    if _cache_dir() is None:
        return None
    h = hashlib.sha256(f"{_environment()}|{opt_level}|{codegen_level}\n".encode())
    h.update(llvm_ir.encode())
    return h.hexdigest()


def _cache_path(key: str) -> Path:
    return _cache_dir() / key[:2] / f"{key}.o"


def _cache_read(key: str | None) -> bytes | None:
    if key is None:
        return None
    path = _cache_path(key)
    try:
        data = path.read_bytes()
        os.utime(path)              # recently used: pruned last
    except OSError:
        return None
    obj, digest = data[:-_DIGEST], data[-_DIGEST:]
    return obj if len(data) > _DIGEST and hashlib.sha256(obj).digest() == digest else None


def _cache_write(key: str | None, obj: bytes):
    """Best effort: an unwritable cache only costs the next process the compile."""
    if key is None:
        return
    path = _cache_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with open(fd, "wb") as fh:     # (os.fdopen imports io: the program's __import__)
            fh.write(obj + hashlib.sha256(obj).digest())
        os.replace(tmp, path)       # atomic: readers see the old file or the whole new one
    except OSError:
        return
    global _writes
    _writes += 1
    if _writes % _PRUNE_EVERY == 0:
        _prune(_cache_dir())


_writes = 0
_PRUNE_EVERY = 64      # writes between looks at the cache's size


def _prune(root: Path):
    """Remove the least recently used entries while the cache is over its size."""
    limit = float(os.environ.get("JIT_CACHE_MB", "256")) * (1 << 20)
    try:
        entries = [(st.st_mtime, st.st_size, p) for p in root.glob("*/*.o")
                   for st in [p.stat()]]
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit * 0.8:
            break
        try:
            path.unlink()
            total -= size
        except OSError:
            pass
