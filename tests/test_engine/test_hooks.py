import io
import random
import types

import numpy as np
import pytest
import torch

from glore_mmseg.engine.hooks import AtomicCheckpointHook, CheckFiniteLossHook
from glore_mmseg.engine.hooks.random_state_hook import (get_random_state,
                                                        set_random_state)


def draws():
    return (random.random(), float(np.random.rand()),
            float(torch.rand(())))


def test_random_state_round_trips_through_a_weights_only_checkpoint():
    buffer = io.BytesIO()
    torch.save(dict(random_state=get_random_state()), buffer)
    expected = draws()
    assert draws() != expected
    buffer.seek(0)
    set_random_state(torch.load(buffer, weights_only=True)['random_state'])
    assert draws() == expected


def test_non_finite_weights_are_not_saved(tmp_path):
    hook = CheckFiniteLossHook()
    runner = types.SimpleNamespace(work_dir=str(tmp_path))
    finite = dict(
        meta=dict(iter=7),
        state_dict={
            'head.weight': torch.ones(3),
            'bn.num_batches_tracked': torch.tensor(5)
        })
    hook.before_save_checkpoint(runner, finite)
    finite['state_dict']['head.bias'] = torch.tensor([0., float('inf')])
    with pytest.raises(
            FloatingPointError,
            match=r'iteration 7: non-finite weights in head\.bias\.'):
        hook.before_save_checkpoint(runner, finite)


def test_non_finite_gradient_norm_stops_training(tmp_path):
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    model = torch.nn.Linear(2, 2)
    optim_wrapper = build_optim_wrapper(
        model,
        dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.1),
            clip_grad=dict(max_norm=1.0)))
    message_hub = MessageHub.get_instance('test_non_finite_gradient_norm')
    runner = types.SimpleNamespace(
        work_dir=str(tmp_path),
        iter=4,
        optim_wrapper=optim_wrapper,
        message_hub=message_hub)
    outputs = dict(loss=torch.tensor(1.0))
    message_hub.update_scalar('train/grad_norm', 3.0)
    CheckFiniteLossHook().after_train_iter(runner, 4, outputs=outputs)
    message_hub.update_scalar('train/grad_norm', float('inf'))
    with pytest.raises(FloatingPointError,
                       match='iteration 5: loss=1.0, grad_norm=inf'):
        CheckFiniteLossHook().after_train_iter(runner, 4, outputs=outputs)


def test_a_non_finite_loss_term_stops_training_naming_every_term(tmp_path):
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    runner = types.SimpleNamespace(
        work_dir=str(tmp_path),
        iter=2,
        optim_wrapper=build_optim_wrapper(
            torch.nn.Linear(2, 2),
            dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))),
        message_hub=MessageHub.get_instance('test_non_finite_loss_term'))
    outputs = dict(loss=torch.tensor(float('nan')),
                   **{'decode.loss_ce': torch.tensor(float('nan')),
                      'aux.loss_ce': torch.tensor(0.5)})
    with pytest.raises(
            FloatingPointError,
            match=r'Non-finite loss at iteration 3: loss=nan, '
            r'decode\.loss_ce=nan, aux\.loss_ce=0\.5\. Training stopped'):
        CheckFiniteLossHook().after_train_iter(runner, 2, outputs=outputs)


def test_partial_checkpoints_of_a_killed_run_are_deleted(tmp_path):
    from mmengine.logging import MessageHub, MMLogger
    for name in ('iter_2.pth', 'iter_3.pth.tmp', 'notes.tmp'):
        (tmp_path / name).write_bytes(b'x')
    runner = types.SimpleNamespace(
        work_dir=str(tmp_path),
        logger=MMLogger.get_current_instance(),
        message_hub=MessageHub.get_instance('test_partial_checkpoints'))
    AtomicCheckpointHook(interval=1).before_train(runner)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'iter_2.pth', 'notes.tmp'
    ]


def test_save_best_is_written_atomically(tmp_path):
    # A kill while the new best checkpoint is written leaves the previous
    # best complete and no partial best_*.pth.
    from mmengine.logging import MessageHub, MMLogger

    def save_checkpoint(out_dir, filename, **kwargs):
        # The previous best is still there while the new one is written.
        assert (tmp_path / 'best_mIoU_iter_1.pth').is_file() or \
            runner.iter == 1
        with open(f'{out_dir}/{filename}', 'wb') as f:
            f.write(b'part')
            if runner.iter == 2:
                raise KeyboardInterrupt  # killed mid-write
            f.write(b' complete')

    def best_files():
        return sorted(p.name for p in tmp_path.iterdir()
                      if p.name.startswith('best_') and p.suffix == '.pth')

    runner = types.SimpleNamespace(
        work_dir=str(tmp_path), epoch=0, iter=1,
        logger=MMLogger.get_current_instance(),
        message_hub=MessageHub.get_instance('test_save_best_atomic'),
        save_checkpoint=save_checkpoint)

    def evaluate(step, miou):
        runner.iter = step
        hook = AtomicCheckpointHook(interval=1, by_epoch=False,
                                    save_best='mIoU', rule='greater')
        hook.before_train(runner)
        hook.after_val_epoch(runner, dict(mIoU=miou))

    evaluate(1, 0.5)
    with pytest.raises(KeyboardInterrupt):
        evaluate(2, 0.7)
    assert best_files() == ['best_mIoU_iter_1.pth']
    assert (tmp_path / 'best_mIoU_iter_1.pth').read_bytes() == \
        b'part complete'
    runner.message_hub.update_info('best_ckpt',
                                   str(tmp_path / 'best_mIoU_iter_1.pth'))
    evaluate(3, 0.8)
    assert best_files() == ['best_mIoU_iter_3.pth']
    assert runner.save_checkpoint is save_checkpoint  # restored


def test_save_best_with_several_metrics(tmp_path):
    from mmengine.logging import MessageHub, MMLogger

    def save_checkpoint(out_dir, filename, **kwargs):
        with open(f'{out_dir}/{filename}', 'wb') as f:
            f.write(b'complete')

    runner = types.SimpleNamespace(
        work_dir=str(tmp_path), epoch=0, iter=0,
        logger=MMLogger.get_current_instance(),
        message_hub=MessageHub.get_instance('test_save_best_several'),
        save_checkpoint=save_checkpoint)
    hook = AtomicCheckpointHook(interval=1, by_epoch=False,
                                save_best=['mIoU', 'aAcc'],
                                rule=['greater', 'greater'])
    hook.before_train(runner)
    for step, scores in ((1, (0.5, 0.9)), (2, (0.6, 0.8)), (3, (0.7, 0.95))):
        runner.iter = step
        hook.after_val_epoch(runner, dict(mIoU=scores[0], aAcc=scores[1]))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'best_aAcc_iter_3.pth', 'best_mIoU_iter_3.pth']
