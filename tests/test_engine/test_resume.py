import logging
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

from glore_mmseg.engine.resume import (IncompleteCheckpointError,
                                       check_checkpoint_complete,
                                       find_resume_checkpoint, prepare_resume)


@pytest.fixture
def warnings_logged():
    """Messages the current mmengine logger emits during the test."""
    messages = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield messages
    logger.removeHandler(handler)


def save(path, step, truncate=False):
    torch.save(
        dict(meta=dict(iter=step, seed=step), state_dict=dict(w=torch.ones(
            64, 64))), path)
    if truncate:  # what a save killed halfway leaves behind
        with open(path, 'rb') as f:
            data = f.read()
        with open(path, 'wb') as f:
            f.write(data[:len(data) // 2])
    return str(path)


def point_at(work_dir, text):
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(text)


def test_last_checkpoint_is_used_when_complete(tmp_path, warnings_logged):
    save(tmp_path / 'iter_1.pth', 1)
    second = save(tmp_path / 'iter_2.pth', 2)
    point_at(tmp_path, second)
    assert find_resume_checkpoint(str(tmp_path)) == second
    assert warnings_logged == []


def test_empty_last_checkpoint_falls_back_to_newest_complete(
        tmp_path, warnings_logged):
    save(tmp_path / 'iter_2.pth', 2)
    tenth = save(tmp_path / 'iter_10.pth', 10)
    save(tmp_path / 'iter_20.pth', 20, truncate=True)
    point_at(tmp_path, '')
    assert find_resume_checkpoint(str(tmp_path)) == tenth
    assert len(warnings_logged) == 1
    assert 'last_checkpoint' in warnings_logged[0]
    assert 'is empty' in warnings_logged[0]
    assert 'iter_10.pth' in warnings_logged[0]


def test_truncated_latest_falls_back_to_newest_complete(
        tmp_path, warnings_logged):
    first = save(tmp_path / 'iter_1.pth', 1)
    second = save(tmp_path / 'iter_2.pth', 2, truncate=True)
    point_at(tmp_path, second)
    assert find_resume_checkpoint(str(tmp_path)) == first
    assert 'iter_2.pth' in warnings_logged[0]
    assert 'truncated' in warnings_logged[0]


def test_missing_latest_falls_back(tmp_path, warnings_logged):
    first = save(tmp_path / 'epoch_1.pth', 1)
    point_at(tmp_path, str(tmp_path / 'epoch_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)) == first
    assert 'does not exist' in warnings_logged[0]


def test_moved_work_dir_resumes_from_its_own_checkpoint(
        tmp_path, warnings_logged):
    moved = save(tmp_path / 'iter_4.pth', 4)
    point_at(tmp_path, '/old/machine/work_dir/iter_4.pth')
    assert find_resume_checkpoint(str(tmp_path)) == moved
    assert '/old/machine/work_dir/iter_4.pth' in warnings_logged[0]


def test_fresh_work_dir_starts_anew(tmp_path):
    assert find_resume_checkpoint(str(tmp_path)) is None
    cfg = Config(dict(resume=True, load_from=None, work_dir=str(tmp_path)))
    prepare_resume(cfg)
    assert not cfg.resume


def test_only_incomplete_checkpoints_are_refused(tmp_path):
    save(tmp_path / 'iter_1.pth', 1, truncate=True)
    point_at(tmp_path, '')
    with pytest.raises(IncompleteCheckpointError,
                       match='last_checkpoint.* is empty.*Nothing was '
                       'overwritten'):
        find_resume_checkpoint(str(tmp_path))


@pytest.mark.parametrize('damage', ['truncated', 'empty'])
def test_incomplete_checkpoint_given_by_path_is_refused(tmp_path, damage):
    complete = save(tmp_path / 'iter_1.pth', 1)
    path = save(tmp_path / 'iter_2.pth', 2, truncate=True)
    if damage == 'empty':
        open(path, 'w').close()
    cfg = Config(dict(resume=True, load_from=path, work_dir=str(tmp_path)))
    with pytest.raises(IncompleteCheckpointError) as error:
        prepare_resume(cfg)
    assert repr(path) in str(error.value)
    assert complete in str(error.value)
    check_checkpoint_complete(complete)


def test_resume_keeps_the_checkpoint_seed_when_config_has_none(tmp_path):
    path = save(tmp_path / 'iter_3.pth', 3)
    cfg = Config(dict(resume=True, load_from=path, work_dir=str(tmp_path)))
    prepare_resume(cfg)
    assert cfg.randomness.seed == 3
    cfg = Config(
        dict(
            resume=True,
            load_from=path,
            work_dir=str(tmp_path),
            randomness=dict(seed=0)))
    prepare_resume(cfg)
    assert cfg.randomness.seed == 0
