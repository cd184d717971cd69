"""The national benchmark behind ``make bench`` (issue 13): synthetic data, load, figures.

Not part of ``make test``: performance claims live here, never in timed test assertions.
``docs/bench.md`` says how to run it and what each figure means.
"""
