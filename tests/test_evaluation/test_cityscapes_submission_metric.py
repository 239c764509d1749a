"""The test-server export metric: names, format, folder claim, links,
zip and manifest, write errors."""
import errno
import json
import os
import os.path as osp
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from glore_mmseg.evaluation import (CityscapesSubmissionMetric,
                                    submission_png_path)


def sample(img_path, train_ids):
    return dict(
        img_path=img_path,
        pred_sem_seg=dict(data=torch.as_tensor(train_ids)[None]))


def test_writes_label_ids_named_after_the_image(tmp_path):
    metric = CityscapesSubmissionMetric(output_dir=str(tmp_path))
    train_ids = np.zeros((1024, 2048), np.int64)
    train_ids[:, 1024:] = 13  # car
    train_ids[:512] = 10  # sky
    img = '/data/leftImg8bit/test/bonn/bonn_000001_000019_leftImg8bit.png'
    metric.process({}, [sample(img, train_ids)])

    path = tmp_path / 'bonn' / 'bonn_000001_000019_leftImg8bit.png'
    assert submission_png_path(str(tmp_path), img) == str(path)
    image = Image.open(path)
    assert image.mode == 'L' and image.size == (2048, 1024)
    label_ids = np.array(image)
    assert label_ids[0, 0] == 23  # sky: trainId 10 -> labelId 23
    assert label_ids[1023, 2047] == 26  # car: 13 -> 26
    assert label_ids[1023, 0] == 7  # road: 0 -> 7
    # mmengine's evaluate (main process): the zip and the manifest.
    assert metric.evaluate(1) == {'images': 1}
    with zipfile.ZipFile(tmp_path / 'submission.zip') as zf:
        assert zf.namelist() == ['bonn/bonn_000001_000019_leftImg8bit.png']
        assert zf.read(zf.namelist()[0]) == path.read_bytes()
    manifest = json.loads((tmp_path / 'submission.json').read_text())
    assert manifest['status'] == 'complete' and manifest['images'] == 1


def test_building_the_metric_claims_the_folder(tmp_path):
    run = dict(checkpoint_sha256='1', setting_sha256='2')
    CityscapesSubmissionMetric(output_dir=str(tmp_path / 'sub'), run=run)
    manifest = json.loads((tmp_path / 'sub' / 'submission.json').read_text())
    assert manifest == dict(run=run, status='running')
    with pytest.raises(FileExistsError, match='different run'):
        CityscapesSubmissionMetric(
            output_dir=str(tmp_path / 'sub'), run=dict(run, setting_sha256=3))

    outside = tmp_path / 'outside'
    outside.mkdir()
    os.symlink(outside, tmp_path / 'sub' / 'bonn')
    with pytest.raises(FileExistsError, match=r'contains links \(bonn\)'):
        CityscapesSubmissionMetric(output_dir=str(tmp_path / 'sub'), run=run)


def test_links_made_while_testing_are_not_written_through(tmp_path):
    metric = CityscapesSubmissionMetric(output_dir=str(tmp_path / 'sub'))
    img = '/data/leftImg8bit/test/bonn/bonn_000001_000019_leftImg8bit.png'
    victim = tmp_path / 'victim.png'
    victim.write_bytes(b'keep me')
    os.makedirs(tmp_path / 'sub' / 'bonn')
    png = tmp_path / 'sub' / 'bonn' / osp.basename(img)
    os.symlink(victim, png)
    metric.process({}, [sample(img, np.zeros((4, 8), np.int64))])
    assert victim.read_bytes() == b'keep me'
    assert not png.is_symlink() and Image.open(png).size == (8, 4)

    outside = tmp_path / 'outside'
    outside.mkdir()
    os.symlink(outside, tmp_path / 'sub' / 'aachen')
    other = img.replace('bonn', 'aachen')
    with pytest.raises(OSError, match="'aachen' is a link"):
        metric.process({}, [sample(other, np.zeros((4, 8), np.int64))])
    with pytest.raises(FileExistsError, match=r'contains links \(aachen\)'):
        metric.compute_metrics(metric.results)
    assert os.listdir(outside) == []
    assert not (tmp_path / 'sub' / 'submission.zip').exists()


def test_disk_error_names_the_file_and_keeps_what_was_written(
        tmp_path, monkeypatch):
    metric = CityscapesSubmissionMetric(output_dir=str(tmp_path))
    first = '/d/leftImg8bit/test/bonn/bonn_000000_000019_leftImg8bit.png'
    metric.process({}, [sample(first, np.zeros((4, 8), np.int64))])

    def disk_full(self, fp, *args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(Image.Image, 'save', disk_full)
    second = first.replace('000000', '000001')
    with pytest.raises(OSError) as error:
        metric.process({}, [sample(second, np.zeros((4, 8), np.int64))])
    assert error.value.errno == errno.ENOSPC
    message = str(error.value)
    assert 'bonn_000001_000019_leftImg8bit.png' in message
    assert 'No space left on device' in message
    assert 'The 1 PNGs written so far are kept' in message
    assert osp.isfile(tmp_path / 'bonn' / osp.basename(first))
