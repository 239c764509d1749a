#!/usr/bin/env bash
# Usage: bash tools/dist_train.sh CONFIG NUM_PROCS [train.py options]
exec bash "$(dirname "$0")/dist_launch.sh" "$2" train.py "$1" "${@:3}"
