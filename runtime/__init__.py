"""What native code calls back into: the C-API symbol table for this
interpreter, Python-level helpers for operations with no single C-API call,
and the interpreter-side support (argument binding, tracebacks)."""
