"""Segment images with an exported ONNX file in place of the checkpoint.

:class:`OnnxRuntimeSegmentor` is an mmseg segmentor whose network is an
onnxruntime session: mmseg's test pipeline resizes the image (outside the
graph), a data preprocessor turns the BGR uint8 image into the graph's RGB
float input, and mmseg's own ``postprocess_result`` resizes the logits to
the original image and takes the argmax, as in the PyTorch path.
:class:`OnnxSegInferencer` is the package's inferencer with it as model,
so overlays and label PNGs come from the same code.
"""
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmseg.models.segmentors import BaseSegmentor
from mmseg.utils import SampleList
from torch import Tensor

from ..apis.seg_inferencer import GloReSegInferencer
from .onnx_check import onnx_session, run_session
from .onnx_export import read_metadata


class OnnxRuntimeSegmentor(BaseSegmentor):
    """Whole-image inference with an exported ``logits`` graph.

    Args:
        onnx_file: A file ``tools/export.py`` wrote without ``--argmax``.
        threads: onnxruntime intra-op threads (None: its default).
    """

    def __init__(self, onnx_file: str, threads: Optional[int] = None) -> None:
        metadata = read_metadata(onnx_file)
        if metadata.get('task') != 'segmentor':
            raise ValueError(
                f'{onnx_file!r} is not a segmentor graph written by '
                f'tools/export.py (metadata task: {metadata.get("task")!r})')
        if metadata.get('output') != 'logits':
            raise ValueError(
                f'{onnx_file!r} outputs {metadata.get("output")!r}; '
                'inference needs the logits (export without --argmax): '
                'they are resized to the image before the argmax')
        # The graph takes RGB 0-255: only BGR -> RGB and batching here.
        super().__init__(
            data_preprocessor=dict(
                type='SegDataPreProcessor', bgr_to_rgb=True, pad_val=0))
        self.session = onnx_session(onnx_file, threads)
        self.align_corners = bool(metadata['align_corners'])
        self.dataset_meta = dict(
            classes=metadata.get('classes'), palette=metadata.get('palette'))

    def _forward(self, inputs: Tensor, data_samples=None) -> Tensor:
        """(N, 3, H, W) RGB 0-255 -> (N, C, H, W) logits."""
        images = inputs.detach().cpu().numpy().astype(np.float32)
        return torch.from_numpy(run_session(self.session, images))

    def predict(self, inputs: Tensor,
                data_samples: Optional[SampleList] = None) -> SampleList:
        return self.postprocess_result(self._forward(inputs), data_samples)

    def encode_decode(self, inputs: Tensor, batch_data_samples: SampleList):
        return self._forward(inputs)

    def extract_feat(self, inputs: Tensor):
        raise NotImplementedError('an ONNX graph exposes no features')

    def loss(self, inputs: Tensor, data_samples: SampleList) -> Dict:
        raise NotImplementedError('an ONNX graph cannot be trained')


def check_onnx_test_config(cfg: Config) -> None:
    """Refuse test settings the exported graph does not reproduce."""
    mode = cfg.model.get('test_cfg', {}).get('mode', 'whole')
    if mode != 'whole':
        raise ValueError(
            f'{cfg.filename}: model.test_cfg.mode={mode!r}; ONNX inference '
            'runs whole images (drop --inference slide)')
    if cfg.model.get('type') == 'SegTTAModel':
        raise ValueError('ONNX inference has no test-time augmentation '
                         '(drop --tta)')
    padding = cfg.model.get('data_preprocessor', {}).get('test_cfg')
    if padding:
        raise ValueError(
            f'{cfg.filename}: model.data_preprocessor.test_cfg={padding} '
            'pads test images after normalisation; the exported graph '
            'takes the unpadded image')


class OnnxSegInferencer(GloReSegInferencer):
    """The package's inferencer on an exported ONNX file.

    Args:
        model: Config (file or :class:`~mmengine.config.Config`): its test
            pipeline (the resize) and visualiser.
        weights: The ``.onnx`` file.
        device: Only ``'cpu'`` (onnxruntime's CPU provider).
        threads: onnxruntime intra-op threads.
    """

    def __init__(self, model, weights: str, device: Optional[str] = 'cpu',
                 threads: Optional[int] = None) -> None:
        if device not in (None, 'cpu'):
            raise ValueError(f'ONNX inference runs on the CPU, not {device}')
        self._threads = threads
        super().__init__(model=model, weights=weights, device='cpu')

    def _init_model(self, cfg: Config, weights: str,
                    device: str = 'cpu') -> nn.Module:
        check_onnx_test_config(cfg)
        model = OnnxRuntimeSegmentor(weights, self._threads)
        model.cfg = cfg
        return model.eval()
