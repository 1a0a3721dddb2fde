import os

# A specialisation the compiler fails to build is an internal error: make it raise
# in tests instead of quietly running the generic code.
os.environ.setdefault("JIT_STRICT", "1")
