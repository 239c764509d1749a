import os.path as osp

import pytest

from tests.conftest import REPO


def small_classifier_config(config: str, neck_type: str):
    """A package classifier config at 1/8 width (ResNet-50 with 8 base
    channels), a 16-d covariance and 5 classes."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.model.backbone.update(base_channels=8, stem_channels=8)
    if 'gsop_stages' in cfg.model.backbone or \
            cfg.model.backbone.type == 'GSoPResNet':
        cfg.model.backbone.gsop_reduced_channels = 8
    cfg.model.neck.update(in_channels=256, reduced_channels=16)
    assert cfg.model.neck.type == neck_type
    cfg.model.head.update(in_channels=16 * 17 // 2, num_classes=5)
    return cfg


@pytest.fixture(scope='session')
def onnx_available():
    pytest.importorskip('onnx')
    pytest.importorskip('onnxscript')
    return pytest.importorskip('onnxruntime')
