#!/usr/bin/env bash
# One-command GPU check (about 8 minutes on one H100/H200); --smoke runs the
# same code on the CPU with tiny models. See glore_mmseg/benchmarking/gpu_check.py.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python}"
cd "$ROOT"
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m glore_mmseg.benchmarking.gpu_check "$@"
