"""Static int8 quantization of an exported graph, calibrated on images."""
import os
import os.path as osp
import tempfile
from typing import Iterable, List, Optional, Sequence

import numpy as np

from .onnx_export import INPUT_NAME, atomic_output

#: Quantized operators: the convolutions hold almost all of a segmentor's
#: FLOPs; MatMul stays float32 (the GloRe unit's projections sum over all
#: positions and its graph convolution is tiny).
DEFAULT_OPS = ('Conv', )


class _ImageReader:
    """onnxruntime's ``CalibrationDataReader`` protocol over arrays."""

    def __init__(self, images: Iterable[np.ndarray]) -> None:
        self._images = iter(images)

    def get_next(self) -> Optional[dict]:
        image = next(self._images, None)
        return None if image is None else {INPUT_NAME: image}


def quantize_int8(fp32_path: str,
                  int8_path: str,
                  calibration: List[np.ndarray],
                  op_types: Sequence[str] = DEFAULT_OPS,
                  per_channel: bool = True) -> str:
    """Write an int8 (QDQ) copy of ``fp32_path``, calibrated on images.

    Activations are unsigned 8-bit with min-max ranges seen on
    ``calibration``, weights signed 8-bit per output channel (the layout
    onnxruntime's VNNI kernels run fastest on x86).

    Args:
        fp32_path: The float32 graph (:func:`.export_onnx`).
        int8_path: Output file, written atomically.
        calibration: (1, 3, H, W) float32 RGB 0-255 test-time inputs.
        op_types: ONNX operators to quantize.
        per_channel: Per-output-channel weight scales.

    Returns:
        ``int8_path``.
    """
    from onnxruntime.quantization import (CalibrationMethod, QuantFormat,
                                          QuantType, quant_pre_process,
                                          quantize_static)
    if not calibration:
        raise ValueError('int8 quantization needs calibration images')
    folder = tempfile.mkdtemp(dir=osp.dirname(osp.abspath(int8_path)),
                              prefix='.quantize-')
    prepared = osp.join(folder, 'prepared.onnx')
    try:
        quant_pre_process(fp32_path, prepared, skip_symbolic_shape=True)
        with atomic_output(int8_path) as temporary:
            quantize_static(
                prepared,
                temporary,
                _ImageReader(calibration),
                quant_format=QuantFormat.QDQ,
                op_types_to_quantize=list(op_types),
                per_channel=per_channel,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax)
    finally:
        for name in os.listdir(folder):
            os.remove(osp.join(folder, name))
        os.rmdir(folder)
    return int8_path
