"""One train step, one whole-image inference or one head forward of a
segmentor, as argument-free callables for timing and memory probes."""
from contextlib import AbstractContextManager
from typing import Callable, List, Optional

import torch

from .segmentors import image_metas, synthetic_batch

#: Autocast dtype of each precision name (None: no autocast).
PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16}


def autocast(device: str, precision: str) -> AbstractContextManager:
    """The autocast context of ``precision`` ('fp32' or 'bf16')."""
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {list(PRECISIONS)}, '
                         f'got {precision!r}')
    dtype = PRECISIONS[precision]
    return torch.autocast(device_type=torch.device(device).type,
                          dtype=dtype or torch.float32,
                          enabled=dtype is not None)


def train_step(model: torch.nn.Module,
               shape: List[int],
               device: str,
               precision: str,
               memory_format: torch.memory_format = torch.contiguous_format,
               optimizer: Optional[torch.optim.Optimizer] = None
               ) -> Callable[[], None]:
    """Forward + loss + backward + SGD step on a synthetic batch.

    Args:
        model: mmseg segmentor, put in train mode.
        shape: (batch, H, W) of the batch.
        device: Where the batch is drawn.
        precision: 'fp32' or 'bf16' (autocast).
        memory_format: Of the input images.
        optimizer: Default SGD (lr 1e-4, momentum 0.9, weight decay 5e-4).
    """
    inputs, samples = synthetic_batch(*shape, device, memory_format)
    if optimizer is None:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-4,
                                    momentum=0.9, weight_decay=5e-4)
    model.train()

    def step():
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, precision):
            loss, _ = model.parse_losses(model.loss(inputs, samples))
        loss.backward()
        optimizer.step()

    return step


def inference_step(
        model: torch.nn.Module,
        shape: List[int],
        device: str,
        precision: str,
        memory_format: torch.memory_format = torch.contiguous_format
) -> Callable[[], None]:
    """Whole-image logits (``encode_decode``) of one (H, W) = ``shape``
    image, without gradients; puts ``model`` in eval mode."""
    image, _ = synthetic_batch(1, *shape, device, memory_format)
    metas = image_metas(*shape)
    model.eval()

    @torch.no_grad()
    def step():
        with autocast(device, precision):
            model.encode_decode(image, metas)

    return step


def head_inference_step(head: torch.nn.Module, shape: List[int], device: str,
                        precision: str) -> Callable[[], None]:
    """A decode head's forward on random features of ``shape``
    (B, C, H, W), without gradients; puts ``head`` in eval mode."""
    generator = torch.Generator(device='cpu').manual_seed(0)
    features = torch.randn(shape, generator=generator).to(device)
    head.eval()

    @torch.no_grad()
    def step():
        with autocast(device, precision):
            head([features])

    return step
