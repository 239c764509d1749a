"""Submission folder guard and reproducible zip."""
import json
import os
import zipfile

import pytest
from mmengine.config import Config

from glore_mmseg.utils.submission import (MANIFEST, check_output_dir,
                                          claim_output_dir,
                                          configure_submission,
                                          pack_submission, summary)

RUN = dict(checkpoint='/a.pth', checkpoint_sha256='1', setting_sha256='2')


def write_pngs(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * 10)


def test_claims_new_and_same_run_folders(tmp_path):
    out = tmp_path / 'sub'
    claim_output_dir(str(out), RUN)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest == dict(run=RUN, status='running')
    write_pngs(out, ['bonn/b_1.png'])
    claim_output_dir(str(out), RUN)  # same run again: allowed
    assert (out / 'bonn' / 'b_1.png').exists()


def test_refuses_foreign_or_different_run_folders(tmp_path):
    foreign = tmp_path / 'foreign'
    write_pngs(foreign, ['x.png'])
    with pytest.raises(FileExistsError, match='not written by a submission'):
        check_output_dir(str(foreign), RUN)

    other = tmp_path / 'other'
    claim_output_dir(str(other), RUN)
    before = (other / MANIFEST).read_bytes()
    with pytest.raises(FileExistsError,
                       match='different run .differs in: checkpoint_sha256'):
        claim_output_dir(str(other), dict(RUN, checkpoint_sha256='9'))
    assert (other / MANIFEST).read_bytes() == before

    a_file = tmp_path / 'file'
    a_file.write_text('')
    with pytest.raises(FileExistsError, match='is a file'):
        check_output_dir(str(a_file), RUN)


def test_zip_is_reproducible_and_mirrors_the_city_folders(tmp_path):
    zips = []
    for name in ('one', 'two'):
        out = tmp_path / name
        claim_output_dir(str(out), RUN)
        write_pngs(out, ['bonn/b_2.png', 'bonn/b_1.png', 'aachen/a_1.png'])
        zips.append(pack_submission(str(out), RUN, expected=3))
    first, second = (open(path, 'rb').read() for path in zips)
    assert first == second
    with zipfile.ZipFile(zips[0]) as zf:
        assert zf.namelist() == ['aachen/a_1.png', 'bonn/b_1.png',
                                 'bonn/b_2.png']
        assert zf.read('bonn/b_1.png') == b'bonn/b_1.png' * 10
    manifest = json.loads((tmp_path / 'one' / MANIFEST).read_text())
    assert manifest['status'] == 'complete' and manifest['images'] == 3
    text = summary(str(tmp_path / 'one'), zips[0])
    assert '3 labelId PNGs' in text and 'submission.zip' in text


def test_zip_refused_when_pngs_are_missing(tmp_path):
    claim_output_dir(str(tmp_path), RUN)
    write_pngs(tmp_path, ['bonn/b_1.png'])
    with pytest.raises(RuntimeError, match='holds 1 PNGs for 2 test images'):
        pack_submission(str(tmp_path), RUN, expected=2)
    assert not any(name.endswith('.zip') for name in os.listdir(tmp_path))


def test_configure_reads_the_test_split_without_labels():
    cfg = Config(
        dict(
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
    configure_submission(cfg, 'out')
    dataset = cfg.test_dataloader.dataset
    assert dataset.data_prefix == dict(img_path='leftImg8bit/test')
    assert [step.type for step in dataset.pipeline] == [
        'LoadImageFromFile', 'Resize', 'PackSegInputs'
    ]
    assert cfg.test_evaluator == dict(
        type='CityscapesSubmissionMetric', output_dir='out')

    dataset.type = 'ADE20KDataset'
    with pytest.raises(ValueError, match="'CityscapesDataset', got 'ADE"):
        configure_submission(cfg, 'out')
