"""Whole-image inference in several CPU runtimes: PyTorch eager, and the
exported ONNX graph in onnxruntime (float32 and static int8) and OpenVINO.
"""
import importlib.util
import os.path as osp
from typing import Callable, Dict, List, Sequence

import numpy as np
import torch
from torch import nn

from ..deploy.onnx_check import onnx_session, run_session
from ..deploy.onnx_export import export_onnx
from ..deploy.quantization import quantize_int8

#: Runtime names, in table order.
RUNTIMES = ('pytorch', 'onnxruntime', 'onnxruntime-int8', 'openvino')

Predictor = Callable[[np.ndarray], np.ndarray]


def available_runtimes() -> List[str]:
    """The runtimes whose packages are installed."""
    names = ['pytorch']
    if importlib.util.find_spec('onnxruntime'):
        names += ['onnxruntime', 'onnxruntime-int8']
    if importlib.util.find_spec('openvino'):
        names.append('openvino')
    return names


def _openvino_predictor(path: str, threads: int) -> Predictor:
    import openvino as ov
    core = ov.Core()
    compiled = core.compile_model(
        path, 'CPU', {'INFERENCE_NUM_THREADS': threads,
                      'INFERENCE_PRECISION_HINT': 'f32'})
    output = compiled.output(0)

    def predict(images: np.ndarray) -> np.ndarray:
        return compiled(images)[output]

    return predict


def build_predictors(model: nn.Module, shape: Sequence[int],
                     runtimes: Sequence[str], calibration: List[np.ndarray],
                     folder: str, threads: int) -> Dict[str, Predictor]:
    """One (1, 3, H, W) RGB 0-255 -> output function per runtime.

    Args:
        model: An export wrapper (:mod:`glore_mmseg.deploy.export_model`).
        shape: (H, W): the ONNX graphs are static at this size.
        runtimes: Names of :data:`RUNTIMES`.
        calibration: int8 calibration inputs, (1, 3, H, W) each.
        folder: Where the ONNX files go.
        threads: CPU threads of every runtime.
    """
    torch.set_num_threads(threads)
    predictors = {}

    def pytorch(images: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(images)).numpy()

    predictors['pytorch'] = pytorch
    fp32 = osp.join(folder, 'fp32.onnx')
    if set(runtimes) - {'pytorch'}:
        export_onnx(model, fp32, model.output_name, shape=tuple(shape))
    if 'onnxruntime' in runtimes:
        session = onnx_session(fp32, threads)
        predictors['onnxruntime'] = lambda x: run_session(session, x)
    if 'onnxruntime-int8' in runtimes:
        int8 = quantize_int8(fp32, osp.join(folder, 'int8.onnx'),
                             calibration)
        int8_session = onnx_session(int8, threads)
        predictors['onnxruntime-int8'] = lambda x: run_session(
            int8_session, x)
    if 'openvino' in runtimes:
        predictors['openvino'] = _openvino_predictor(fp32, threads)
    return {name: predictors[name] for name in runtimes}


def label_agreement(predictors: Dict[str, Predictor],
                    images: List[np.ndarray]) -> Dict[str, float]:
    """Share of label pixels (argmax over classes) equal to PyTorch's."""
    reference = [predictors['pytorch'](image).argmax(1) for image in images]
    shares = {}
    for name, predict in predictors.items():
        equal = sum(int((predict(image).argmax(1) == labels).sum())
                    for image, labels in zip(images, reference))
        shares[name] = equal / sum(labels.size for labels in reference)
    return shares


def time_runtimes(models: Dict[str, nn.Module], shape: Sequence[int],
                  runtimes: Sequence[str], calibration: List[np.ndarray],
                  folder: str, threads: int, warmup: int,
                  rounds: int) -> List[Dict]:
    """Interleaved whole-image inference times of every model in every
    runtime (all predictors alive at once, one random image).

    Returns:
        One row per (model, runtime): ``min_ms``, ``median_ms``,
        ``spread``.
    """
    from .interleaved import time_interleaved
    image = (np.random.default_rng(0).random(
        (1, 3, *shape), dtype=np.float32) * 255)
    steps = {}
    for name, model in models.items():
        model_folder = osp.join(folder, name)
        predictors = build_predictors(model, shape, runtimes, calibration,
                                      model_folder, threads)
        for runtime, predict in predictors.items():
            steps[(name, runtime)] = (lambda p=predict: p(image))
    keys = list(steps)
    stats = time_interleaved({str(k): steps[k] for k in keys}, 'cpu',
                             warmup, rounds)
    return [dict(model=name, runtime=runtime,
                 min_ms=stats[str((name, runtime))]['min_s'] * 1e3,
                 median_ms=stats[str((name, runtime))]['median_s'] * 1e3,
                 spread=stats[str((name, runtime))]['spread'])
            for name, runtime in keys]
