#!/usr/bin/env bash
# Usage: bash tools/dist_launch.sh NUM_PROCS SCRIPT [SCRIPT args]
# Runs tools/SCRIPT with torch.distributed.run (torchrun) and --launcher
# pytorch: one process per GPU, or gloo processes on a machine without CUDA.
# The launcher is the module of the Python that runs the tools ($PYTHON, else
# the `python` on PATH), so no `torchrun` executable is needed on PATH.
# NNODES, NODE_RANK, PORT and MASTER_ADDR come from the environment.
GPUS=$1
SCRIPT=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

PYTHON=${PYTHON:-python}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/$SCRIPT" \
    "${@:3}" \
    --launcher pytorch
