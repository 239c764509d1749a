"""Cityscapes test-server submission: output folder, checks, zip, summary.

``tools/test.py CONFIG CKPT --submit OUT`` runs the model over the test
split with :class:`~glore_mmseg.evaluation.CityscapesSubmissionMetric` and
then packs ``OUT/<city>/*.png`` into ``OUT/submission.zip``. A manifest
(``OUT/submission.json``) records which run wrote the folder, so a second
run never overwrites a different run's files; re-running the same command
(same checkpoint, config and images) finishes or repeats the same export.
"""
import hashlib
import json
import os
import os.path as osp
import zipfile
from typing import Dict

from mmengine.config import Config

from ..evaluation.cityscapes_submission_metric import submission_pngs
from .test_time import drop_annotation_loading

MANIFEST = 'submission.json'
ZIP_NAME = 'submission.zip'
TEST_IMAGES = 'leftImg8bit/test'
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def file_sha256(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def configure_submission(cfg: Config, output_dir: str) -> None:
    """Point ``cfg``'s test loop at the test split and the submission writer.

    Images are read from ``<data_root>/leftImg8bit/test`` without labels
    (the test split has none); the evaluator becomes
    ``CityscapesSubmissionMetric`` writing into ``output_dir``.

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
        type='CityscapesSubmissionMetric', output_dir=output_dir)


def run_identity(cfg: Config, checkpoint: str) -> Dict[str, str]:
    """What makes two exports byte-identical: weights, model and data."""
    setting = json.dumps(
        dict(model=cfg.model, dataset=cfg.test_dataloader.dataset),
        sort_keys=True,
        default=str)
    return dict(
        checkpoint=osp.abspath(checkpoint),
        checkpoint_sha256=file_sha256(checkpoint),
        setting_sha256=hashlib.sha256(setting.encode()).hexdigest())


def check_output_dir(output_dir: str, identity: Dict[str, str]) -> None:
    """Refuse an ``output_dir`` that holds another run's (or foreign) files.

    Raises:
        FileExistsError: ``output_dir`` holds files of a different run or
            files this tool did not write, or is a file.
    """
    manifest_path = osp.join(output_dir, MANIFEST)
    if osp.isdir(output_dir) and os.listdir(output_dir):
        if not osp.isfile(manifest_path):
            raise FileExistsError(
                f'--submit folder {output_dir!r} is not empty and was not '
                'written by a submission export; nothing was overwritten. '
                'Choose a new folder or empty this one.')
        with open(manifest_path) as f:
            previous = json.load(f)
        if previous.get('run') != identity:
            changed = [key for key in identity
                       if previous.get('run', {}).get(key) != identity[key]]
            raise FileExistsError(
                f'--submit folder {output_dir!r} holds a different run '
                f'(differs in: {", ".join(changed)}; written from '
                f'{previous.get("run", {}).get("checkpoint")!r}); nothing '
                'was overwritten. Choose a new folder or remove this one.')
    elif osp.exists(output_dir) and not osp.isdir(output_dir):
        raise FileExistsError(f'--submit {output_dir!r} is a file')


def claim_output_dir(output_dir: str, identity: Dict[str, str]) -> None:
    """:func:`check_output_dir`, then create it with a 'running' manifest."""
    check_output_dir(output_dir, identity)
    os.makedirs(output_dir, exist_ok=True)
    _write_manifest(output_dir, dict(run=identity, status='running'))


def _write_manifest(output_dir: str, manifest: dict) -> None:
    path = osp.join(output_dir, MANIFEST)
    with open(path + '.tmp', 'w') as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
    os.replace(path + '.tmp', path)


def pack_submission(output_dir: str, identity: Dict[str, str],
                    expected: int) -> str:
    """Zip the PNGs (``<city>/<stem>.png``) reproducibly; mark the run done.

    Entries are sorted and carry a fixed timestamp, so the zip of the same
    PNGs is byte-identical too.

    Raises:
        RuntimeError: The folder holds a number of PNGs other than
            ``expected`` (one per test image).
    """
    pngs = submission_pngs(output_dir)
    if len(pngs) != expected:
        raise RuntimeError(
            f'{output_dir!r} holds {len(pngs)} PNGs for {expected} test '
            'images; the zip was not written.')
    zip_path = osp.join(output_dir, ZIP_NAME)
    with zipfile.ZipFile(zip_path + '.tmp', 'w', zipfile.ZIP_DEFLATED) as zf:
        for name in pngs:
            info = zipfile.ZipInfo(name.replace(os.sep, '/'), _FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(osp.join(output_dir, name), 'rb') as f:
                zf.writestr(info, f.read())
    os.replace(zip_path + '.tmp', zip_path)
    _write_manifest(output_dir,
                    dict(run=identity, status='complete', images=len(pngs)))
    return zip_path


def summary(output_dir: str, zip_path: str) -> str:
    """One paragraph: count, folder, zip and sizes (read from the zip)."""
    with zipfile.ZipFile(zip_path) as zf:
        entries = zf.infolist()
    png_bytes = sum(entry.file_size for entry in entries)
    return (f'Cityscapes submission: {len(entries)} labelId PNGs in '
            f'{osp.abspath(output_dir)} ({png_bytes / 2**20:.1f} MiB)\n'
            f'Upload: {osp.abspath(zip_path)} '
            f'({osp.getsize(zip_path) / 2**20:.1f} MiB)')
