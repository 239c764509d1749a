"""Run an exported ONNX file with onnxruntime and compare it with PyTorch.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from .onnx_export import INPUT_NAME

#: Largest accepted |onnxruntime - PyTorch| of float32 logits or scores.
#: The exporters reorder float operations: about 1e-6 on logits of order 1.
DEFAULT_TOLERANCE = 1e-3


def onnx_session(path: str, threads: Optional[int] = None):
    """An onnxruntime CPU session of ``path``."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(
        path, options, providers=['CPUExecutionProvider'])


def run_session(session, images: np.ndarray) -> np.ndarray:
    """The graph's output for (N, 3, H, W) float32 RGB 0-255 ``images``."""
    return session.run(None, {INPUT_NAME: images.astype(np.float32)})[0]


def random_images(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    """(N, 3, H, W) float32 uniform in [0, 255]."""
    generator = np.random.default_rng(seed)
    return (generator.random(tuple(shape), dtype=np.float32) * 255)


def label_mismatches(labels: np.ndarray, logits: torch.Tensor,
                     tolerance: float) -> Dict[str, float]:
    """Compare exported labels with PyTorch's logits.

    A differing label is explained when PyTorch's best two logits at that
    pixel are within ``tolerance`` (a tie the exporter may break either
    way); the others are errors.
    """
    reference = logits.argmax(1).numpy()
    differ = labels != reference
    top2 = logits.topk(2, dim=1).values
    tied = (top2[:, 0] - top2[:, 1]).numpy() <= tolerance
    return dict(
        label_agreement=float(1 - differ.mean()),
        unexplained=int((differ & ~tied).sum()))


def compare_with_pytorch(model: nn.Module, session,
                         images: np.ndarray,
                         tolerance: float = DEFAULT_TOLERANCE) -> Dict:
    """One comparison: onnxruntime against ``model`` on ``images``.

    Returns:
        ``shape``, ``max_abs_diff`` (of logits or scores; for a labels
        output that of the wrapped model's logits is not available, so the
        label agreement and the unexplained mismatches are given) and
        ``ok``.
    """
    output = run_session(session, images)
    inputs = torch.from_numpy(images)
    argmax = getattr(model, 'argmax', False)
    with torch.no_grad():
        if argmax:
            model.argmax = False
            try:
                logits = model(inputs)
            finally:
                model.argmax = True
        else:
            reference = model(inputs).numpy()
    record = dict(shape=list(images.shape))
    if argmax:
        record.update(label_mismatches(output, logits, tolerance))
        record['ok'] = record['unexplained'] == 0
    else:
        if output.shape != reference.shape:
            raise ValueError(
                f'onnxruntime output shape {output.shape} differs from '
                f'PyTorch {reference.shape}')
        record['max_abs_diff'] = float(np.abs(output - reference).max())
        record['ok'] = record['max_abs_diff'] <= tolerance
    return record


def check_sizes(shape: Optional[Sequence[int]]) -> List[Sequence[int]]:
    """Two input shapes to check a graph at: for a dynamic one, two batch
    sizes and two image sizes of different aspect; for a static one, its
    shape twice (two random inputs)."""
    if shape is not None:
        return [(1, 3, *shape), (1, 3, *shape)]
    return [(1, 3, 256, 512), (2, 3, 320, 448)]


def check_onnx(model: nn.Module,
               path: str,
               shape: Optional[Sequence[int]] = None,
               images: Optional[List[np.ndarray]] = None,
               tolerance: float = DEFAULT_TOLERANCE) -> List[Dict]:
    """Compare the exported ``path`` with ``model`` on two inputs.

    Args:
        model: The export wrapper that was exported.
        path: Its ONNX file.
        shape: (H, W) of a static graph, None for a dynamic one.
        images: Two (N, 3, H, W) float32 RGB 0-255 arrays to use instead
            of random ones.
        tolerance: See :data:`DEFAULT_TOLERANCE`.

    Returns:
        One record per input (:func:`compare_with_pytorch`).
    """
    session = onnx_session(path)
    if images is None:
        images = [random_images(size, seed)
                  for seed, size in enumerate(check_sizes(shape))]
    return [compare_with_pytorch(model, session, batch, tolerance)
            for batch in images]
