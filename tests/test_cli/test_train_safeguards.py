"""tools/train.py loses nothing: non-finite losses stop it before a bad
checkpoint, a kill during a save leaves a checkpoint to resume from, and a
resumed run repeats the uninterrupted run's losses exactly."""
import json
import os
import os.path as osp
import re
import shutil

import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import CheckpointLoader

from glore_mmseg.engine.resume import checkpoint_problem
from tests.conftest import DEMO_CONFIG, run_python

# Kills the training process (SIGKILL) halfway through writing its second
# checkpoint file: the worst moment for a power cut or an OOM kill.
KILL_DURING_SECOND_SAVE = '''
import os, runpy, signal, sys
from mmengine.fileio.backends.local_backend import LocalBackend
put = LocalBackend.put
saves = []
def put_then_die(self, obj, filepath):
    if '.pth' in str(filepath):
        saves.append(filepath)
        if len(saves) == 2:
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
    put(self, obj, filepath)
LocalBackend.put = put_then_die
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
'''


def train(work_dir, data_root, iters, *options, args=(), prefix=()):
    """tools/train.py on the demo config with 64x128 crops and one
    validation image, logging the unsmoothed losses of every iteration."""
    small = [
        'model.data_preprocessor.size=(64,128)',
        'train_dataloader.dataset.pipeline.3.scale=(256,128)',  # fused
        'train_dataloader.dataset.pipeline.3.crop_size=(64,128)',
        'val_dataloader.dataset.pipeline.1.scale=(256,128)',
        'val_dataloader.dataset.indices=1',
        'default_hooks.logger.interval=1', 'log_processor.window_size=1',
        f'train_cfg.max_iters={iters}'
    ]
    data = [
        f'{loader}.dataset.data_root={data_root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]
    return run_python([
        *prefix, 'tools/train.py', DEMO_CONFIG, '--work-dir',
        str(work_dir), *args, '--cfg-options', *data, *small, *options
    ])


def logged_losses(work_dir):
    """{iteration: {loss name: value}} from mmengine's scalars.json."""
    losses = {}
    for run in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, run, 'vis_data', 'scalars.json')
        if osp.isfile(path):
            with open(path) as f:
                for record in map(json.loads, f):
                    if 'iter' in record:
                        losses[record['iter']] = {
                            key: value
                            for key, value in record.items() if 'loss' in key
                        }
    return losses


def saved_checkpoints(work_dir):
    return sorted(name for name in os.listdir(work_dir)
                  if name.endswith('.pth'))


def last_checkpoint(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read()


def test_non_finite_loss_stops_before_saving(tmp_path, cityscapes_root):
    result = train(tmp_path, cityscapes_root, 6,
                   'optim_wrapper.optimizer.lr=1000',
                   'default_hooks.checkpoint.interval=1',
                   'train_cfg.val_interval=100')
    assert result.returncode != 0
    # At this learning rate the head's blocker statistics overflow at
    # iteration 3, before the loss does: the save of that iteration is
    # refused (a non-finite loss term stops training the same way:
    # tests/test_engine/test_hooks.py).
    error = re.search(
        r'FloatingPointError: Refused to save the checkpoint of iteration '
        r'(\d+): non-finite weights in (\S+)\. Training stopped',
        result.stderr)
    assert error, result.stderr[-3000:]
    failed = int(error.group(1))
    assert failed == 3
    assert error.group(2).startswith('decode_head.')
    good = [f'iter_{i}.pth' for i in range(1, failed)]
    assert saved_checkpoints(tmp_path) == good
    assert last_checkpoint(tmp_path) == str(tmp_path / good[-1])
    weights = CheckpointLoader.load_checkpoint(
        str(tmp_path / good[-1]))['state_dict'].values()
    assert all(bool(torch.isfinite(w).all()) for w in weights)


def test_kill_during_save_keeps_a_checkpoint_to_resume(
        tmp_path, cityscapes_root):
    options = ('default_hooks.checkpoint.interval=1',
               'default_hooks.checkpoint.max_keep_ckpts=1',
               'train_cfg.val_interval=100')
    killed = train(tmp_path, cityscapes_root, 2, *options,
                   prefix=('-c', KILL_DURING_SECOND_SAVE))
    assert killed.returncode == -9, killed.stderr[-3000:]
    assert saved_checkpoints(tmp_path) == ['iter_1.pth']
    assert os.listdir(tmp_path).count('iter_2.pth.tmp') == 1  # the partial
    assert checkpoint_problem(str(tmp_path / 'iter_1.pth')) is None
    assert last_checkpoint(tmp_path) == str(tmp_path / 'iter_1.pth')

    resumed = train(tmp_path, cityscapes_root, 2, *options, args=['--resume'])
    out = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, out[-3000:]
    assert 'resumed epoch: 0, iter: 1' in out
    assert saved_checkpoints(tmp_path) == ['iter_2.pth']
    assert last_checkpoint(tmp_path) == str(tmp_path / 'iter_2.pth')


def test_resumed_run_repeats_the_uninterrupted_losses(tmp_path,
                                                      cityscapes_root):
    cfg = Config.fromfile(DEMO_CONFIG)
    assert cfg.model.decode_head.dropout_ratio > 0
    assert cfg.train_dataloader.num_workers > 0
    # Checkpoint at 2, then validation, then iterations 3 and 4.
    options = ('default_hooks.checkpoint.interval=2',
               'train_cfg.val_interval=2')
    full = train(tmp_path / 'full', cityscapes_root, 4, *options)
    assert full.returncode == 0, full.stderr[-3000:]
    os.makedirs(tmp_path / 'resumed')
    checkpoint = str(tmp_path / 'resumed' / 'iter_2.pth')
    shutil.copy(tmp_path / 'full' / 'iter_2.pth', checkpoint)

    resumed = train(tmp_path / 'resumed', cityscapes_root, 4, *options,
                    args=['--resume', checkpoint])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    expected = logged_losses(tmp_path / 'full')
    assert sorted(expected) == [1, 2, 3, 4]
    assert logged_losses(tmp_path / 'resumed') == {
        3: expected[3],
        4: expected[4]
    }
