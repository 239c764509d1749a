"""Cityscapes test-server export: PNGs while the model runs, then the zip.
"""
import io
import os.path as osp
from collections import Counter
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.logging import print_log
from mmseg.evaluation.metrics import CityscapesMetric
from mmseg.registry import METRICS
from PIL import Image

from .submission_folder import (claim_output_dir, pack_submission,
                                submission_pngs, summary, write_file)

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


def _claim_on_main_process(output_dir: str, run: Optional[dict]) -> None:
    """Rank 0 claims the folder; every rank raises its refusal."""
    error = [None]
    if is_main_process():
        try:
            claim_output_dir(output_dir, run)
        except (OSError, ValueError) as refusal:
            error = [refusal]
    broadcast_object_list(error)
    if error[0] is not None:
        raise error[0]


@METRICS.register_module()
class CityscapesSubmissionMetric(CityscapesMetric):
    """Write a Cityscapes test-server submission: PNGs, zip and manifest.

    mmseg's ``CityscapesMetric(format_only=True)`` with the server's layout:
    one uint8 grayscale PNG of *labelIds* per image, at the prediction's
    resolution (the input image's, full 2048x1024 for Cityscapes), named
    after the image and grouped by city as ``leftImg8bit/test`` is. PNG
    encoding is deterministic, so the same predictions give the same bytes.

    When the metric is built (before testing) the main process claims
    ``output_dir``: it refuses a folder holding links, files it did not write
    or another run's export, and records ``run`` in ``submission.json``.
    Where mmengine computes the metrics (main process, all ranks' results)
    the PNGs are checked against the images, zipped into ``submission.zip``
    (checked against the files) and the manifest marked complete. Files are
    never written through links (see :mod:`.submission_folder`).

    Args:
        output_dir: Folder for ``<city>/<stem>.png``, the zip and manifest.
        run: What identifies the run (``tools/test.py --submit`` records the
            checkpoint's and the settings' SHA-256); re-running the same run
            finishes an interrupted export. ``None``: an unidentified run,
            which writes only into a new or empty folder.
        collect_device: Passed to ``BaseMetric``.
        prefix: Passed to ``BaseMetric``.
    """
    default_prefix = 'submission'

    def __init__(self,
                 output_dir: str,
                 run: Optional[Dict[str, str]] = None,
                 collect_device: str = 'cpu',
                 prefix: str = None) -> None:
        # mmseg's __del__ reads it, also after a refused claim.
        self.keep_results = True
        _claim_on_main_process(output_dir, run)
        self.run = run
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
            self.results.append(
                (osp.relpath(png_path, self.output_dir), label_ids.shape))

    def _write(self, label_ids: np.ndarray, png_path: str) -> None:
        try:
            png = io.BytesIO()
            Image.fromarray(label_ids).save(png, format='PNG')  # uint8: 'L'
            write_file(self.output_dir,
                       osp.relpath(png_path, self.output_dir),
                       png.getvalue())
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
        zip_path = pack_submission(self.output_dir,
                                   [name for name, _ in results], self.run)
        print_log(summary(self.output_dir, zip_path), logger='current')
        return {'images': len(results)}
