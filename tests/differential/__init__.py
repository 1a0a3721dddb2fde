"""Differential test cases: each snippet runs in the interpreter and compiled.

``harness`` holds the machinery; ``cases_*`` modules register cases with
``@case(...)`` / ``module_case(...)``; ``tests/test_differential.py`` runs them.
"""
