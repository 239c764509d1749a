"""ONNX export of segmentors and classifiers, checked in onnxruntime."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config

from glore_mmseg.deploy import (build_export_model, check_onnx, export_onnx,
                                onnx_session, read_metadata)
from glore_mmseg.deploy.onnx_check import random_images, run_session
from tests.conftest import DEMO_CONFIG
from tests.test_deploy.conftest import small_classifier_config


def demo_config(num_units):
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.model.decode_head.num_units = num_units
    return cfg


@pytest.fixture(scope='module')
def demo_onnx(onnx_available, tmp_path_factory):
    """The 1-unit demo segmentor (random weights) and its dynamic ONNX
    file (torch.export exporter)."""
    torch.manual_seed(0)
    model, _ = build_export_model(demo_config(1), None)
    path = str(tmp_path_factory.mktemp('onnx') / 'demo.onnx')
    export_onnx(model, path, 'logits', metadata=dict(task='segmentor'))
    return model, path


def test_one_dynamic_file_matches_pytorch_at_two_sizes(demo_onnx):
    model, path = demo_onnx
    sizes = [(1, 3, 96, 160), (3, 3, 128, 72)]
    images = [random_images(size, seed) for seed, size in enumerate(sizes)]
    records = check_onnx(model, path, images=images)
    for record, size in zip(records, sizes):
        assert record['shape'] == list(size)
        assert record['max_abs_diff'] < 1e-4 and record['ok']
    output = run_session(onnx_session(path), images[1])
    assert output.shape == (3, 19, 128, 72)  # logits at the input size
    assert read_metadata(path) == dict(task='segmentor')
    assert oct(os.stat(path).st_mode & 0o777) != oct(0o600)


def test_two_units_and_argmax_labels(onnx_available, tmp_path):
    torch.manual_seed(0)
    model, _ = build_export_model(demo_config(2), None, argmax=True)
    assert len(model.segmentor.decode_head.glore_units) == 2
    path = str(tmp_path / 'labels.onnx')
    export_onnx(model, path, 'labels', legacy=True)
    image = random_images((2, 3, 64, 96))
    labels = run_session(onnx_session(path), image)
    with torch.no_grad():
        model.argmax = False
        logits = model(torch.from_numpy(image))
    assert labels.shape == (2, 64, 96) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, logits.argmax(1).numpy())
    model.argmax = True
    record, = check_onnx(model, path, images=[image])
    assert record == dict(shape=[2, 3, 64, 96], label_agreement=1.0,
                          unexplained=0, ok=True)


def test_static_shape(onnx_available, tmp_path):
    model, _ = build_export_model(demo_config(1), None)
    path = str(tmp_path / 'static.onnx')
    export_onnx(model, path, 'logits', shape=(64, 128), legacy=True)
    records = check_onnx(model, path, shape=(64, 128))
    assert [r['shape'] for r in records] == [[1, 3, 64, 128]] * 2
    assert all(r['ok'] for r in records)
    session = onnx_session(path)
    assert session.get_inputs()[0].shape == [1, 3, 64, 128]
    with pytest.raises(Exception, match='dimension|Got invalid'):
        run_session(session, random_images((1, 3, 64, 96)))


@pytest.mark.parametrize('config,neck,legacy', [
    ('configs/gsopnet/gsopnet2_resnet50_8xb32-65e_in1k.py', 'ISQRTCovNeck',
     True),
    ('configs/3gnet/3gnet_resnet50_8xb32-115e_in1k.py',
     'GeneralizedGaussianCovNeck', False),
])
def test_classifier_scores(onnx_available, tmp_path, config, neck, legacy):
    # GSoP-Net2 through the legacy exporter: its triangle index is a
    # buffer, not tril_indices.
    torch.manual_seed(0)
    model, task = build_export_model(small_classifier_config(config, neck),
                                     None)
    assert task == 'classifier'
    path = str(tmp_path / 'classifier.onnx')
    export_onnx(model, path, 'scores', legacy=legacy)
    images = [random_images((1, 3, 64, 64)), random_images((2, 3, 80, 48))]
    records = check_onnx(model, path, images=images)
    assert all(r['ok'] and r['max_abs_diff'] < 1e-5 for r in records)
    scores = run_session(onnx_session(path), images[1])
    assert scores.shape == (2, 5)
    np.testing.assert_allclose(scores.sum(1), 1, atol=1e-5)


def test_a_failed_export_leaves_no_file(onnx_available, tmp_path):
    model, _ = build_export_model(demo_config(1), None)
    path = tmp_path / 'model.onnx'
    with pytest.raises(Exception):  # opset 1 has no Conv
        export_onnx(model, str(path), 'logits', legacy=True, opset=1)
    assert list(tmp_path.iterdir()) == []
