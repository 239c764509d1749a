#!/usr/bin/env bash
# Usage: [GPUS=4] [GPUS_PER_NODE=4] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#   bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py options]
# WORK_DIR, when given, becomes --work-dir.
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    set -- --work-dir "$@"
fi
exec bash "$(dirname "$0")/slurm_launch.sh" "$PARTITION" "$JOB_NAME" \
    train.py "$CONFIG" "$@"
