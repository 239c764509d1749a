"""Benchmarking of segmentors: models and batches (``segmentors``), steps
(``steps``), FLOPs (``flops``), interleaved timing (``interleaved``), peak
memory (``peak_memory``), compilation (``compile``) and tables
(``report``). ``tools/benchmark.py`` is the command line. ``context``: the
runs of the context benchmark (``tools/context_benchmark.py``)."""
