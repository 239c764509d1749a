import pytest
import torch
from mmengine.config import Config

from glore_mmseg.engine.launch import replace_sync_bn, setup_cpu_distributed


def test_sync_bn_replaced_everywhere():
    cfg = dict(
        backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
        heads=[dict(norm_cfg=dict(type='SyncBN')),
               dict(norm_cfg=dict(type='GN'))])
    replace_sync_bn(cfg)
    assert cfg['backbone']['norm_cfg'] == dict(type='BN', requires_grad=True)
    assert [h['norm_cfg']['type'] for h in cfg['heads']] == ['BN', 'GN']


def test_non_distributed_is_untouched():
    cfg = Config(dict(model=dict(norm_cfg=dict(type='SyncBN'))))
    assert setup_cpu_distributed(cfg, 'none') is False
    assert cfg.model.norm_cfg.type == 'SyncBN'
    assert 'model_wrapper_cfg' not in cfg


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a CPU machine')
def test_other_launchers_rejected_without_cuda():
    with pytest.raises(RuntimeError, match='torchrun with --launcher pytorch'):
        setup_cpu_distributed(Config(dict(model=dict())), 'slurm')
