"""The config of ``tools/test.py --submit``."""
import shutil

import pytest
from mmengine.config import Config

from glore_mmseg.evaluation.submission_config import (configure_submission,
                                                      run_identity)


def make_cfg():
    return Config(
        dict(
            model=dict(type='EncoderDecoder'),
            test_dataloader=dict(
                dataset=dict(
                    type='CityscapesDataset',
                    data_prefix=dict(
                        img_path='leftImg8bit/val',
                        seg_map_path='gtFine/val'),
                    pipeline=[
                        dict(type='LoadImageFromFile'),
                        dict(type='Resize', scale=(2048, 1024)),
                        dict(type='LoadAnnotations'),
                        dict(type='PackSegInputs')
                    ])),
            test_evaluator=dict(type='IoUMetric')))


def test_configure_reads_the_test_split_without_labels(tmp_path):
    checkpoint = tmp_path / 'a.pth'
    checkpoint.write_bytes(b'weights')
    cfg = make_cfg()
    configure_submission(cfg, 'out', str(checkpoint))
    dataset = cfg.test_dataloader.dataset
    assert dataset.data_prefix == dict(img_path='leftImg8bit/test')
    assert [step.type for step in dataset.pipeline] == [
        'LoadImageFromFile', 'Resize', 'PackSegInputs'
    ]
    assert cfg.test_evaluator == dict(
        type='CityscapesSubmissionMetric', output_dir='out',
        run=run_identity(cfg, str(checkpoint)))

    dataset.type = 'ADE20KDataset'
    with pytest.raises(ValueError, match="'CityscapesDataset', got 'ADE"):
        configure_submission(cfg, 'out', str(checkpoint))


def test_a_copied_checkpoint_is_the_same_run(tmp_path):
    checkpoint = tmp_path / 'a.pth'
    checkpoint.write_bytes(b'weights')
    copy = tmp_path / 'elsewhere' / 'b.pth'
    copy.parent.mkdir()
    shutil.copy(checkpoint, copy)
    cfg = make_cfg()
    assert run_identity(cfg, str(copy)) == run_identity(cfg, str(checkpoint))
    other = tmp_path / 'c.pth'
    other.write_bytes(b'other weights')
    assert run_identity(cfg, str(other)) != run_identity(cfg, str(checkpoint))
    cfg.model.type = 'Other'
    assert run_identity(make_cfg(), str(copy)) != run_identity(
        cfg, str(checkpoint))
    with pytest.raises(FileNotFoundError, match="'.*nope.pth' not found"):
        run_identity(cfg, str(tmp_path / 'nope.pth'))
