"""The command-line tools, run as users run them (subprocesses)."""
import os
import os.path as osp
import re
import subprocess

import mmseg

from tests.conftest import (DEMO_CONFIG, REPO, image_of, label_file,
                            launcher_env, resize_label, run_python)


def data_options(root):
    return [
        f'{loader}.dataset.data_root={root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


def short_run(root, iters=2):
    return data_options(root) + [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}',
        'default_hooks.logger.interval=1'
    ]


def val_mious(text):
    return [float(m) for m in re.findall(r'Iter\(val\).*mIoU: ([\d.]+)', text)]


def test_demo_trains_validates_checkpoints_and_resumes(demo_run):
    work_dir, result = demo_run
    out = result.stdout + result.stderr
    assert osp.isfile(osp.join(work_dir, 'iter_20.pth'))
    assert osp.isfile(osp.join(work_dir, 'iter_40.pth'))
    assert 'Auto resumed from the latest checkpoint' in out
    assert 'resumed epoch: 0, iter: 20' in out
    assert len(val_mious(out)) == 2
    summary = out[out.index('Demo finished:'):]
    assert re.search(r'iteration\s+20: mIoU \d+\.\d\d', summary)
    assert re.search(r'iteration\s+40: mIoU \d+\.\d\d', summary)


def test_test_tool_reproduces_the_demo_validation(demo_run):
    work_dir, result = demo_run
    last_val_miou = val_mious(result.stdout + result.stderr)[-1]
    test = run_python([
        'tools/test.py', DEMO_CONFIG,
        osp.join(work_dir, 'iter_40.pth'), '--work-dir',
        osp.join(work_dir, 'test'), '--cfg-options',
        *data_options(osp.join(work_dir, 'data', 'cityscapes'))
    ])
    assert test.returncode == 0, test.stderr[-3000:]
    mious = re.findall(r'Iter\(test\).*mIoU: ([\d.]+)', test.stdout +
                       test.stderr)
    assert float(mious[-1]) == last_val_miou


def test_torchrun_two_processes(tmp_path, cityscapes_root):
    result = subprocess.run([
        'bash', 'tools/dist_train.sh', DEMO_CONFIG, '2', '--work-dir',
        str(tmp_path), '--cfg-options', *short_run(cityscapes_root)
    ],
                            cwd=REPO,
                            env=launcher_env(),
                            capture_output=True,
                            text=True,
                            timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert 'gloo backend, 2 processes' in out
    assert re.search(r'Iter\(train\) \[2/2\]', out)
    assert osp.isfile(tmp_path / 'iter_2.pth')


def test_stock_mmseg_train_tool_with_custom_imports(tmp_path,
                                                    cityscapes_root):
    stock = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'train.py')
    result = run_python([
        stock, DEMO_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', *short_run(cityscapes_root)
    ], cwd=str(tmp_path))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert osp.isfile(tmp_path / 'iter_2.pth')
    assert val_mious(out)


def test_bad_inputs_fail_with_named_errors(tmp_path, cityscapes_root):
    missing_root = run_python([
        'tools/train.py', DEMO_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', *data_options(str(tmp_path / 'x'))
    ])
    assert missing_root.returncode != 0
    assert 'train_dataloader.dataset.data_root' in missing_root.stderr

    missing_ckpt = run_python([
        'tools/test.py', DEMO_CONFIG,
        str(tmp_path / 'nope.pth'), '--cfg-options',
        *data_options(cityscapes_root)
    ])
    assert missing_ckpt.returncode != 0
    assert re.search(r"load_from: checkpoint file '.*nope.pth' not found",
                     missing_ckpt.stderr)

    bad_units = run_python([
        'tools/train.py', DEMO_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', 'model.decode_head.num_units=3',
        *data_options(cityscapes_root)
    ])
    assert bad_units.returncode != 0
    assert 'num_units must be 1 or 2, got 3' in bad_units.stderr
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.pth')]


def save_untrained_demo_checkpoint(path):
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    torch.save({'state_dict': model.state_dict()}, path)


def test_labels_of_another_size_stop_train_and_test_naming_the_files(
        tmp_path, cityscapes_copy):
    # Same aspect: without the check, training resizes these labels to
    # their images and runs on silently wrong targets.
    for index in range(6):
        resize_label(label_file(cityscapes_copy, 'train', index), (256, 128))
    train = run_python([
        'tools/train.py', DEMO_CONFIG, '--work-dir',
        str(tmp_path / 'train'), '--cfg-options',
        *short_run(cityscapes_copy)
    ])
    assert train.returncode != 0
    assert re.search(
        r"SegMapError: label '.*/gtFine/train/.*_gtFine_labelTrainIds.png' "
        r"\(image '.*/leftImg8bit/train/.*_leftImg8bit.png'\): the label is "
        r'256x128 but the image is 512x256', train.stderr), \
        train.stderr[-3000:]

    label = label_file(cityscapes_copy, 'val', 1)
    resize_label(label, (512, 200))
    checkpoint = str(tmp_path / 'untrained.pth')
    save_untrained_demo_checkpoint(checkpoint)
    test = run_python([
        'tools/test.py', DEMO_CONFIG, checkpoint, '--work-dir',
        str(tmp_path / 'test'), '--cfg-options',
        *data_options(cityscapes_copy)
    ])
    assert test.returncode != 0
    assert (f"SegMapError: label '{label}' (image '{image_of(label)}'): the "
            'label is 512x200 but the image is 512x256') in test.stderr, \
        test.stderr[-3000:]
