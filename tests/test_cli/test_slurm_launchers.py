"""tools/slurm_train.sh and tools/slurm_test.sh: mmseg's interface, given to
a recording ``srun`` (no Slurm here); the command each task would run
parses with the tool's own argument parser."""
import json
import os
import os.path as osp
import subprocess

import pytest

from glore_mmseg.cli import build_parser
from tests.conftest import DEMO_CONFIG, REPO

RECORDING_SRUN = '''#!/usr/bin/env python3
import json, sys
with open(sys.argv[0] + '.calls', 'a') as f:
    f.write(json.dumps(sys.argv[1:]) + '\\n')
'''


@pytest.fixture
def srun(tmp_path):
    """(environment with a recording ``srun`` first on PATH, reader of the
    argument lists it was called with)."""
    path = tmp_path / 'bin' / 'srun'
    path.parent.mkdir()
    path.write_text(RECORDING_SRUN)
    path.chmod(0o755)
    env = dict(os.environ,
               PATH=f'{path.parent}{os.pathsep}{os.environ["PATH"]}')

    def calls():
        with open(f'{path}.calls') as f:
            return [json.loads(line) for line in f]

    return env, calls


def split_srun_call(call):
    """(srun options, script path, script arguments)."""
    script = next(i for i, arg in enumerate(call) if arg.endswith('.py'))
    return call[:script - 2], call[script], call[script + 1:]


def test_slurm_train_passes_partition_tasks_and_work_dir(srun):
    env, calls = srun
    env.update(GPUS='16', GPUS_PER_NODE='8', CPUS_PER_TASK='6',
               SRUN_ARGS='--quotatype=auto')
    subprocess.run([
        'bash', 'tools/slurm_train.sh', 'gpu', 'glore', DEMO_CONFIG,
        'work_dirs/glore', '--amp', '--cfg-options', 'train_cfg.max_iters=8'
    ], cwd=REPO, env=env, check=True, capture_output=True)
    options, script, args = split_srun_call(calls()[0])
    assert options == [
        '-p', 'gpu', '--job-name=glore', '--gres=gpu:8', '--ntasks=16',
        '--ntasks-per-node=8', '--cpus-per-task=6', '--kill-on-bad-exit=1',
        '--quotatype=auto'
    ]
    assert osp.samefile(script, osp.join(REPO, 'tools', 'train.py'))
    parsed = build_parser('train').parse_args(args)
    assert (parsed.config, parsed.work_dir, parsed.launcher, parsed.amp) == (
        DEMO_CONFIG, 'work_dirs/glore', 'slurm', True)
    assert parsed.cfg_options == {'train_cfg.max_iters': 8}


def test_slurm_train_without_work_dir_keeps_the_options(srun):
    env, calls = srun
    subprocess.run(
        ['bash', 'tools/slurm_train.sh', 'gpu', 'glore', DEMO_CONFIG,
         '--resume'], cwd=REPO, env=env, check=True, capture_output=True)
    options, _, args = split_srun_call(calls()[0])
    assert '--ntasks=4' in options and '--gres=gpu:4' in options
    parsed = build_parser('train').parse_args(args)
    assert (parsed.work_dir, parsed.resume) == (None, 'auto')


def test_slurm_test_passes_checkpoint_and_options(srun):
    env, calls = srun
    env.update(GPUS='8', GPUS_PER_NODE='8')
    subprocess.run([
        'bash', 'tools/slurm_test.sh', 'gpu', 'eval', DEMO_CONFIG,
        'iter_80000.pth', '--tta', 'ms-flip'
    ], cwd=REPO, env=env, check=True, capture_output=True)
    options, script, args = split_srun_call(calls()[0])
    assert '--ntasks=8' in options
    assert osp.samefile(script, osp.join(REPO, 'tools', 'test.py'))
    parsed = build_parser('test').parse_args(args)
    assert (parsed.checkpoint, parsed.launcher, parsed.tta) == (
        'iter_80000.pth', 'slurm', 'ms-flip')
