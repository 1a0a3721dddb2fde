import os

# A specialisation the compiler fails to build is an internal error: make it raise
# in tests instead of quietly running the generic code.
os.environ.setdefault("JIT_STRICT", "1")

# Object code is cached on disk (jit/engine.py): tests start from an empty cache of
# their own, so they compile everything themselves and leave the user's cache alone.
if "JIT_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile
    os.environ["JIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="jit-test-cache-")
    atexit.register(shutil.rmtree, os.environ["JIT_CACHE_DIR"], ignore_errors=True)
