"""Deployment: ONNX export of segmentors and classifiers, its check
against PyTorch, int8 quantization and onnxruntime inference.

onnx, onnxruntime and onnxscript are the ``deploy`` extra
(``pip install -e .[deploy]``); they are imported where used.
"""
from .export_model import (ClassifierExport, SegmentorExport,
                           build_export_model, load_weights_strictly)
from .graph_input import ImageNormalization
from .onnx_check import DEFAULT_TOLERANCE, check_onnx, onnx_session
from .onnx_export import atomic_output, export_onnx, read_metadata

__all__ = [
    'ClassifierExport', 'DEFAULT_TOLERANCE', 'ImageNormalization',
    'SegmentorExport', 'atomic_output', 'build_export_model', 'check_onnx',
    'export_onnx', 'load_weights_strictly', 'onnx_session', 'read_metadata'
]
