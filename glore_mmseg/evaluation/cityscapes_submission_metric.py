"""Cityscapes test-server PNGs, written while the model runs."""
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Sequence

import numpy as np
from mmengine.logging import print_log
from mmseg.evaluation.metrics import CityscapesMetric
from mmseg.registry import METRICS
from PIL import Image

#: (height, width) of every Cityscapes image; the server wants this size.
CITYSCAPES_SHAPE = (1024, 2048)


def train_ids_to_label_ids(train_ids: np.ndarray) -> np.ndarray:
    """Cityscapes trainIds (0-18, 255 ignore) to uint8 labelIds, with
    mmseg's ``CityscapesMetric`` conversion.

    Args:
        train_ids: Integer array of trainIds, any shape.

    Returns:
        uint8 array of labelIds, same shape.
    """
    # int64: mmseg's conversion writes -1 (license plate), which overflows a
    # uint8 array under NumPy 2.
    label_ids = CityscapesMetric._convert_to_label_id(
        np.asarray(train_ids).astype(np.int64))
    return label_ids.astype(np.uint8)


def submission_png_path(output_dir: str, img_path: str) -> str:
    """``<output_dir>/<city>/<image stem>.png`` for an input image path."""
    city = osp.basename(osp.dirname(img_path))
    stem = osp.splitext(osp.basename(img_path))[0]
    return osp.join(output_dir, city, f'{stem}.png')


def submission_pngs(output_dir: str) -> List[str]:
    """The PNGs under ``output_dir``, relative paths in sorted order."""
    found = []
    for folder, _, names in os.walk(output_dir):
        found += [
            osp.relpath(osp.join(folder, name), output_dir) for name in names
            if name.endswith('.png')
        ]
    return sorted(found)


@METRICS.register_module()
class CityscapesSubmissionMetric(CityscapesMetric):
    """Write each prediction as a Cityscapes test-server PNG.

    mmseg's ``CityscapesMetric(format_only=True)`` with the server's layout:
    one uint8 grayscale PNG of *labelIds* per image, at the prediction's
    resolution (the input image's, full 2048x1024 for Cityscapes), named
    after the image and grouped by city as ``leftImg8bit/test`` is. PNG
    encoding is deterministic, so the same predictions give the same bytes.

    Args:
        output_dir: Folder for the ``<city>/<stem>.png`` files.
        collect_device: Passed to ``BaseMetric``.
        prefix: Passed to ``BaseMetric``.
    """
    default_prefix = 'submission'

    def __init__(self,
                 output_dir: str,
                 collect_device: str = 'cpu',
                 prefix: str = None) -> None:
        super().__init__(
            output_dir=output_dir,
            format_only=True,
            keep_results=True,
            collect_device=collect_device,
            prefix=prefix)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for data_sample in data_samples:
            label_ids = train_ids_to_label_ids(
                data_sample['pred_sem_seg']['data'][0].cpu().numpy())
            png_path = submission_png_path(self.output_dir,
                                           data_sample['img_path'])
            self._write(label_ids, png_path)
            self.results.append((png_path, label_ids.shape))

    def _write(self, label_ids: np.ndarray, png_path: str) -> None:
        try:
            os.makedirs(osp.dirname(png_path), exist_ok=True)
            Image.fromarray(label_ids).save(png_path)  # uint8 2D: 'L'
        except OSError as error:
            raise OSError(
                error.errno,
                f'Could not write the submission PNG {png_path!r}: '
                f'{error.strerror or error}. The '
                f'{len(submission_pngs(self.output_dir))}'
                f' PNGs written so far are kept in {self.output_dir!r}; fix '
                'the cause and run the same command again to finish.'
            ) from error

    def compute_metrics(self, results: list) -> Dict[str, float]:
        shapes = Counter(tuple(shape) for _, shape in results)
        odd = {shape: n for shape, n in shapes.items()
               if shape != CITYSCAPES_SHAPE}
        if odd:
            print_log(
                f'{sum(odd.values())} submission PNGs are not 2048x1024 '
                f'(sizes {dict(odd)}): the Cityscapes server rejects them. '
                'Predictions follow the input image size.',
                logger='current',
                level=30)
        return {'images': len(results)}
