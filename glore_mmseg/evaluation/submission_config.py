"""``tools/test.py --submit``: the config of a test-server export.

The export itself (folder claim, PNGs, zip, manifest) belongs to
:class:`~glore_mmseg.evaluation.CityscapesSubmissionMetric`; this module
points a config's test loop at the test split and that metric, and says
which run it is.
"""
import hashlib
import json
import os.path as osp
from typing import Dict

from mmengine.config import Config

from ..datasets.pipeline_edits import drop_annotation_loading

TEST_IMAGES = 'leftImg8bit/test'


def file_sha256(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def run_identity(cfg: Config, checkpoint: str) -> Dict[str, str]:
    """What makes two exports byte-identical: weights, model and data.

    The checkpoint is identified by its contents, not its path: a copy of
    the same file is the same run.

    Raises:
        FileNotFoundError: ``checkpoint`` is not a file.
    """
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file {checkpoint!r} not found')
    setting = json.dumps(
        dict(model=cfg.model, dataset=cfg.test_dataloader.dataset),
        sort_keys=True,
        default=str)
    return dict(
        checkpoint_sha256=file_sha256(checkpoint),
        setting_sha256=hashlib.sha256(setting.encode()).hexdigest())


def configure_submission(cfg: Config, output_dir: str,
                         checkpoint: str) -> None:
    """Point ``cfg``'s test loop at the test split and the submission metric.

    Images are read from ``<data_root>/leftImg8bit/test`` without labels
    (the test split has none); the evaluator becomes
    ``CityscapesSubmissionMetric`` writing into ``output_dir`` for the run
    of ``checkpoint`` (see :func:`run_identity`). Call it after every other
    change to the model and the test data (test-time options).

    Raises:
        ValueError: The test dataset is not a ``CityscapesDataset``.
    """
    dataset = cfg.test_dataloader.dataset
    if dataset.get('type') != 'CityscapesDataset':
        raise ValueError('--submit needs test_dataloader.dataset.type = '
                         f"'CityscapesDataset', got {dataset.get('type')!r}")
    dataset.data_prefix = dict(img_path=TEST_IMAGES)
    dataset.pipeline = drop_annotation_loading(dataset.pipeline)
    cfg.test_evaluator = dict(
        type='CityscapesSubmissionMetric',
        output_dir=output_dir,
        run=run_identity(cfg, checkpoint))
