"""The compared segmentors and heads, built from configs with random
weights, and synthetic Cityscapes-shaped batches to feed them."""
import copy
import os.path as osp
from typing import Dict, List, Tuple

import mmseg
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from ..engine.launch import replace_sync_bn
from ..models.weight_init import init_weights_quietly

#: Stock mmseg R50-D8 Cityscapes 80k configs of the compared methods,
#: relative to mmseg's packaged ``configs`` folder.
STOCK_SEGMENTORS: Dict[str, str] = {
    'FCN': 'fcn/fcn_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'NonLocal': 'nonlocal_net/nonlocal_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'DNL': 'dnlnet/dnl_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'DANet': 'danet/danet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'GCNet': 'gcnet/gcnet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'EMANet': 'emanet/emanet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'CCNet': 'ccnet/ccnet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
}
#: Cityscapes classes drawn as synthetic labels.
NUM_CLASSES = 19


def stock_config(name: str) -> str:
    """Path of the stock mmseg config of ``name`` (a STOCK_SEGMENTORS key)."""
    return osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs',
                    STOCK_SEGMENTORS[name])


def criss_cross_available() -> bool:
    """Whether CCNet can be built (mmcv's compiled CrissCrossAttention)."""
    from mmseg.models.decode_heads import cc_head
    return cc_head.CrissCrossAttention is not None


def _model_config(config: str) -> Config:
    if not osp.isfile(config):
        raise FileNotFoundError(f'segmentor config not found: {config}')
    model_cfg = copy.deepcopy(Config.fromfile(config).model)
    model_cfg.pretrained = None
    model_cfg.backbone.init_cfg = None
    return replace_sync_bn(model_cfg)  # one process: plain BN


def _build(model_cfg, device: str) -> torch.nn.Module:
    init_default_scope('mmseg')
    with torch.device(device):
        model = MODELS.build(model_cfg)
    if device != 'meta':
        init_weights_quietly(model)
    return model


def build_segmentor(config: str, device: str) -> torch.nn.Module:
    """The segmentor of the mmseg ``config`` file with random weights.

    SyncBN becomes BN and nothing is downloaded. On the ``meta`` device
    nothing is allocated (for FLOP counting).
    """
    return _build(_model_config(config), device)


def build_decode_head(config: str, device: str) -> torch.nn.Module:
    """The decode head of ``config`` alone, reading input 0 (feed it
    ``[features]``), with random weights."""
    head_cfg = _model_config(config).decode_head
    head_cfg.in_index = 0
    return _build(head_cfg, device)


def synthetic_batch(
        batch: int,
        height: int,
        width: int,
        device: str,
        memory_format: torch.memory_format = torch.contiguous_format
) -> Tuple[torch.Tensor, List[SegDataSample]]:
    """Normal random images (B, 3, H, W) and uniform random Cityscapes
    labels, the same on every device (drawn on the CPU from seed 0)."""
    generator = torch.Generator(device='cpu').manual_seed(0)

    def draw(sample_fn, shape, dtype):
        if device == 'meta':
            return torch.empty(shape, dtype=dtype, device='meta')
        return sample_fn(shape).to(device)

    inputs = draw(lambda s: torch.randn(s, generator=generator),
                  (batch, 3, height, width), torch.float32)
    inputs = inputs.contiguous(memory_format=memory_format)
    samples = []
    for _ in range(batch):
        sample = SegDataSample()
        labels = draw(
            lambda s: torch.randint(0, NUM_CLASSES, s, generator=generator),
            (1, height, width), torch.long)
        sample.gt_sem_seg = PixelData(data=labels)
        sample.set_metainfo(
            dict(img_shape=(height, width), pad_shape=(height, width)))
        samples.append(sample)
    return inputs, samples


def image_metas(height: int, width: int) -> List[Dict]:
    """Meta information of one whole (unpadded) image for encode_decode."""
    shape = (height, width)
    return [dict(img_shape=shape, ori_shape=shape, pad_shape=shape)]
