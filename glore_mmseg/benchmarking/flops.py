"""FLOPs of a segmentor's train step and inference, counted on the meta
device (no accelerator, no memory)."""
from contextlib import contextmanager
from typing import Dict, Iterator, Sequence

import torch
from torch.fx.experimental import _config as fx_config
from torch.utils.flop_counter import FlopCounterMode

from .segmentors import build_segmentor, image_metas, synthetic_batch


@contextmanager
def meta_nonzero_assumed() -> Iterator[None]:
    """Let ``nonzero`` run on meta tensors (mmseg's accuracy masks labels
    with it, and meta tensors have no data), then restore torch's flag."""
    saved = fx_config.meta_nonzero_assume_all_nonzero
    fx_config.meta_nonzero_assume_all_nonzero = True
    try:
        yield
    finally:
        fx_config.meta_nonzero_assume_all_nonzero = saved


def count_flops(config: str, train_shape: Sequence[int],
                infer_shape: Sequence[int]) -> Dict[str, float]:
    """TFLOP of one train step per image and of one whole-image inference.

    torch's FlopCounterMode counts matrix products and convolutions,
    forward and backward.

    Args:
        config: mmseg segmentor config file.
        train_shape: (batch, H, W) of the train step.
        infer_shape: (H, W) of the inference image.

    Returns:
        ``train_tflop_per_img`` and ``infer_tflop``.
    """
    with meta_nonzero_assumed():
        model = build_segmentor(config, 'meta')
        inputs, samples = synthetic_batch(*train_shape, 'meta')
        model.train()
        with FlopCounterMode(display=False) as counter:
            loss, _ = model.parse_losses(model.loss(inputs, samples))
            loss.backward()
        train = counter.get_total_flops() / train_shape[0]
        model.eval()
        height, width = infer_shape
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model.encode_decode(
                torch.empty(1, 3, height, width, device='meta'),
                image_metas(height, width))
    return dict(train_tflop_per_img=train / 1e12,
                infer_tflop=counter.get_total_flops() / 1e12)
