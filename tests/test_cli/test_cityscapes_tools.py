"""tools/test.py on Cityscapes: official scores, submission export, TTA."""
import hashlib
import json
import os
import os.path as osp
import re
import shutil
import zipfile

import mmseg
import numpy as np
import pytest
from cityscapesscripts.helpers.labels import labels
from PIL import Image

from tests.conftest import DEMO_CONFIG, run_python

TRAIN_LABEL_IDS = {label.id for label in labels if 0 <= label.trainId < 19}


@pytest.fixture(scope='module')
def full_size_root(tmp_path_factory):
    """Two 2048x1024 test images (the size the server wants)."""
    from glore_mmseg.datasets import make_synthetic_cityscapes
    root = str(tmp_path_factory.mktemp('full') / 'cityscapes')
    make_synthetic_cityscapes(root, {'test': 2}, image_size=(2048, 1024))
    return root


def run_test_tool(demo_run, *args, root):
    work_dir, _ = demo_run
    return run_python([
        'tools/test.py', DEMO_CONFIG,
        osp.join(work_dir, 'iter_40.pth'), '--work-dir',
        osp.join(work_dir, 'test'), *args, '--cfg-options',
        f'test_dataloader.dataset.data_root={root}'
    ])


def scores(text, *names):
    line = re.findall(r'Iter\(test\) \[\d+/\d+\].*', text)[-1]
    return [float(re.search(rf' {name}: ([\d.]+)', line).group(1))
            for name in names]


def tree_digest(folder):
    digest = {}
    for path, _, names in os.walk(folder):
        for name in names:
            with open(osp.join(path, name), 'rb') as f:
                digest[osp.relpath(osp.join(path, name), folder)] = \
                    hashlib.sha256(f.read()).hexdigest()
    return digest


def test_cityscapes_eval_reports_the_four_official_scores(demo_run):
    root = osp.join(demo_run[0], 'data', 'cityscapes')
    result = run_test_tool(demo_run, '--cityscapes-eval', root=root)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    miou, class_iou, iiou, cat_iou, cat_iiou = scores(
        out, 'mIoU', 'classIoU', 'classiIoU', 'categoryIoU', 'categoryiIoU')
    # Same predictions, same ignored pixels: mmseg's mIoU and the official
    # class IoU agree (both rounded to 0.01).
    assert abs(miou - class_iou) <= 0.011
    # Each reported score is the evaluator's own average (its table prints
    # fractions to 3 decimals): classes first, then categories.
    averages = [(float(iou), float(niou)) for iou, niou in re.findall(
        r'Score Average : +([\d.]+) +([\d.]+)', out)]
    reported = [(class_iou, iiou), (cat_iou, cat_iiou)]
    assert len(averages) == 2
    for table, score in zip(averages, reported):
        assert abs(table[0] - score[0] / 100) <= 6e-4, (table, score)
        assert abs(table[1] - score[1] / 100) <= 6e-4, (table, score)
    assert 'classes          IoU      nIoU' in out  # the evaluator's table


def test_submission_export(demo_run, full_size_root, tmp_path):
    out_dir = str(tmp_path / 'submission')
    result = run_test_tool(demo_run, '--submit', out_dir, root=full_size_root)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert '2/2' in log and 'task/s' in log  # the progress bar
    assert re.search(r'Cityscapes submission: 2 labelId PNGs in .*submission',
                     log)
    assert re.search(r'Upload: .*submission\.zip \([\d.]+ MiB\)', log)

    names = [f'berlin/berlin_00000{i}_0000{19 + i}_leftImg8bit.png'
             for i in range(2)]
    with zipfile.ZipFile(osp.join(out_dir, 'submission.zip')) as zf:
        assert zf.namelist() == names
        for name in names:
            assert zf.read(name) == open(osp.join(out_dir, name), 'rb').read()
    for name in names:
        image = Image.open(osp.join(out_dir, name))
        assert image.mode == 'L' and image.size == (2048, 1024)
        assert set(np.unique(np.array(image))) <= TRAIN_LABEL_IDS

    manifest = json.loads(open(osp.join(out_dir, 'submission.json')).read())
    assert manifest['status'] == 'complete' and manifest['images'] == 2

    # The same checkpoint copied elsewhere is the same run: it may re-export
    # into the folder, and the export is deterministic (byte-identical PNGs,
    # zip and manifest).
    first = tree_digest(out_dir)
    copy = str(tmp_path / 'copy' / 'renamed.pth')
    os.makedirs(osp.dirname(copy))
    shutil.copy(osp.join(demo_run[0], 'iter_40.pth'), copy)
    result = run_python([
        'tools/test.py', DEMO_CONFIG, copy, '--submit', out_dir,
        '--work-dir', str(tmp_path / 'w'), '--cfg-options',
        f'test_dataloader.dataset.data_root={full_size_root}'
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(out_dir) == first

    # Another checkpoint into the same folder: refused, nothing touched.
    other = run_python([
        'tools/test.py', DEMO_CONFIG,
        osp.join(demo_run[0], 'iter_20.pth'), '--submit', out_dir,
        '--work-dir', str(tmp_path / 'w'), '--cfg-options',
        f'test_dataloader.dataset.data_root={full_size_root}'
    ])
    assert other.returncode != 0
    assert 'holds a different run' in other.stderr
    assert tree_digest(out_dir) == first

    # The city folder replaced by a link to other files: the same run is
    # refused, naming the link, and nothing is written through it.
    outside = str(tmp_path / 'outside')
    shutil.move(osp.join(out_dir, 'berlin'), outside)
    for name in os.listdir(outside):
        with open(osp.join(outside, name), 'wb') as f:
            f.write(b'not yours')
    os.symlink(outside, osp.join(out_dir, 'berlin'))
    kept = tree_digest(outside)
    linked = run_test_tool(demo_run, '--submit', out_dir, root=full_size_root)
    assert linked.returncode != 0
    assert re.search(r"FileExistsError: submission folder '.*submission' "
                     r'contains links \(berlin\)', linked.stderr)
    assert tree_digest(outside) == kept


def test_submission_refuses_missing_split_and_unreadable_images(
        demo_run, full_size_root, tmp_path):
    val_only = osp.join(demo_run[0], 'data', 'cityscapes')
    missing = run_test_tool(
        demo_run, '--submit', str(tmp_path / 'a'), root=val_only)
    assert missing.returncode != 0
    assert re.search(
        r"test_dataloader.dataset.data_prefix.img_path: folder "
        r"'.*leftImg8bit/test' does not exist", missing.stderr)

    broken_root = str(tmp_path / 'broken')
    shutil.copytree(full_size_root, broken_root)
    image = osp.join(broken_root, 'leftImg8bit', 'test', 'berlin',
                     'berlin_000001_000020_leftImg8bit.png')
    with open(image, 'r+b') as f:
        f.truncate(2000)
    broken = run_test_tool(
        demo_run, '--submit', str(tmp_path / 'b'), root=broken_root)
    assert broken.returncode != 0
    assert f"image '{image}' is unreadable" in broken.stderr
    assert not osp.exists(tmp_path / 'b')


def test_stock_mmseg_test_tool_exports_a_submission(demo_run, cityscapes_root,
                                                    tmp_path):
    """mmseg's own tools/test.py, a config whose test_evaluator is the
    submission metric: PNGs, zip and manifest."""
    out_dir = tmp_path / 'sub'
    config = tmp_path / 'submit_config.py'
    config.write_text(
        f'_base_ = {DEMO_CONFIG!r}\n'
        'test_dataloader = dict(dataset=dict(\n'
        f'    data_root={cityscapes_root!r},\n'
        "    data_prefix=dict(img_path='leftImg8bit/test'),\n"
        "    pipeline=[dict(type='LoadImageFromFile'),\n"
        "              dict(type='PackSegInputs')]))\n"
        "test_evaluator = dict(_delete_=True,\n"
        "                      type='CityscapesSubmissionMetric',\n"
        f'                      output_dir={str(out_dir)!r})\n')
    stock = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'test.py')
    result = run_python([
        stock, str(config), osp.join(demo_run[0], 'iter_40.pth'),
        '--work-dir', str(tmp_path / 'w')
    ], cwd=str(tmp_path))
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'Cityscapes submission: 2 labelId PNGs' in log
    pngs = sorted(path.relative_to(out_dir).as_posix()
                  for path in out_dir.rglob('*.png'))
    assert pngs == [f'berlin/berlin_00000{i}_0000{19 + i}_leftImg8bit.png'
                    for i in range(2)]
    with zipfile.ZipFile(out_dir / 'submission.zip') as zf:
        assert zf.namelist() == pngs
    manifest = json.loads((out_dir / 'submission.json').read_text())
    assert manifest == dict(run=None, status='complete', images=2,
                            zip_sha256=manifest['zip_sha256'])


def test_test_time_augmentation_modes(demo_run):
    root = osp.join(demo_run[0], 'data', 'cityscapes')
    show_dir = osp.join(demo_run[0], 'show')
    plain = run_test_tool(demo_run, '--show-dir', show_dir, root=root)
    one_view = run_test_tool(
        demo_run, '--tta', 'ms', '--tta-scales', '1.0', root=root)
    flip_slide = run_test_tool(
        demo_run, '--tta', 'ms-flip', '--tta-scales', '0.5', '1.75',
        '--inference', 'slide', root=root)
    for result in (plain, one_view, flip_slide):
        assert result.returncode == 0, result.stderr[-3000:]
    # SegTTAModel over a single unflipped view is the plain prediction.
    assert scores(one_view.stdout, 'mIoU') == scores(plain.stdout, 'mIoU')
    # Two other scales, flips and sliding windows: other predictions, so
    # other scores (the options are not ignored).
    assert scores(flip_slide.stdout, 'mIoU') != scores(plain.stdout, 'mIoU')
    # --show-dir paints every test image (mmseg's hook: every 50th batch).
    painted = sorted(name for _, _, names in os.walk(show_dir)
                     for name in names if name.endswith('.png'))
    images = sorted(name for _, _, names in os.walk(
        osp.join(root, 'leftImg8bit', 'val')) for name in names)
    assert len(images) > 1
    assert painted == [f'test_{name}_0.png' for name in images]
