"""tools/train.py and tools/test.py on mmpretrain configs: a CPU smoke run
of each family on a synthetic ImageNet, and torchrun."""
import os.path as osp
import pickle
import re
import subprocess

import pytest
import torch

from tests.conftest import REPO, launcher_env, load_tool, run_python

FAMILIES = {
    'glore': 'configs/glore_cls/glore-res4x3_resnet50_8xb32_in1k.py',
    'gsopnet1': 'configs/gsopnet/gsopnet1-avg_resnet50_8xb32-95e_in1k.py',
    'gsopnet2': 'configs/gsopnet/gsopnet2_resnet50_8xb32-65e_in1k.py',
    '3gnet': 'configs/3gnet/3gnet_resnet50_8xb32-115e_in1k.py',
}


@pytest.fixture(scope='module')
def imagenet_root(tmp_path_factory):
    from glore_mmseg.datasets import make_synthetic_imagenet
    root = str(tmp_path_factory.mktemp('imagenet'))
    make_synthetic_imagenet(root, num_classes=4,
                            per_class={'train': 2, 'val': 1})
    return root


@pytest.fixture(scope='module')
def initial_classifier(tmp_path_factory):
    """A 4-class GSoP-Net1 checkpoint of the initial weights."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(REPO, FAMILIES['gsopnet1']))
    cfg.model.head.num_classes = 4
    path = str(tmp_path_factory.mktemp('cls') / 'initial.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), path)
    return path


def small_run(root):
    """One epoch of 8 images, 112-pixel crops, 4 classes."""
    options = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.data_root={root}',
                    f'{loader}.batch_size=4', f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    return options + [
        'train_dataloader.dataset.pipeline.1.scale=112',
        'val_dataloader.dataset.pipeline.1.scale=128',
        'val_dataloader.dataset.pipeline.2.crop_size=112',
        'test_dataloader.dataset.pipeline.1.scale=128',
        'test_dataloader.dataset.pipeline.2.crop_size=112',
        'train_cfg.max_epochs=1', 'model.head.num_classes=4',
        'model.head.topk=1', 'val_evaluator.topk=1', 'test_evaluator.topk=1',
        'default_hooks.logger.interval=1'
    ]


def top1(text, mode):
    return [float(v) for v in re.findall(
        rf'Epoch\({mode}\).*accuracy/top1: ([\d.]+)', text)]


@pytest.mark.parametrize('family', list(FAMILIES))
def test_each_family_trains_validates_and_tests(family, imagenet_root,
                                                tmp_path):
    config = FAMILIES[family]
    train = run_python(['tools/train.py', config, '--work-dir',
                        str(tmp_path), '--cfg-options',
                        *small_run(imagenet_root)])
    out = train.stdout + train.stderr
    assert train.returncode == 0, out[-3000:]
    assert re.search(r'Epoch\(train\) \[1\]\[2/2\].*loss: [\d.]+', out)
    val = top1(out, 'val')
    # 4 validation images: top-1 is a multiple of 25 % (a fraction, or a
    # count over the wrong set, would not be).
    assert len(val) == 1 and val[0] in (0.0, 25.0, 50.0, 75.0, 100.0)
    checkpoint = tmp_path / 'epoch_1.pth'
    assert checkpoint.is_file()

    if family == 'gsopnet2':  # the test tool reproduces the validation
        test = run_python(['tools/test.py', config, str(checkpoint),
                           '--work-dir', str(tmp_path / 'test'),
                           '--cfg-options', *small_run(imagenet_root)])
        assert test.returncode == 0, test.stderr[-3000:]
        assert top1(test.stdout + test.stderr, 'test') == val


def test_torchrun_two_processes(imagenet_root, tmp_path):
    result = subprocess.run([
        'bash', 'tools/dist_train.sh', FAMILIES['3gnet'], '2', '--work-dir',
        str(tmp_path), '--cfg-options', *small_run(imagenet_root)
    ], cwd=REPO, env=launcher_env(),
                            capture_output=True, text=True, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert 'gloo backend, 2 processes' in out
    assert re.search(r'Epoch\(train\) \[1\]\[1/1\]', out)  # 8 / (2 x 4)
    assert osp.isfile(tmp_path / 'epoch_1.pth')


def test_test_tool_out_flip_tta_and_show_dir_on_a_classifier(
        initial_classifier, imagenet_root, tmp_path):
    out, show = tmp_path / 'predictions.pkl', tmp_path / 'show'
    tta = run_python([
        'tools/test.py', FAMILIES['gsopnet1'], initial_classifier, '--out',
        str(out), '--tta', 'flip', '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', *small_run(imagenet_root)
    ])
    painting = run_python([
        'tools/test.py', FAMILIES['gsopnet1'], initial_classifier,
        '--show-dir', str(show), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', *small_run(imagenet_root)
    ])
    for result in (tta, painting):
        log = result.stdout + result.stderr
        assert result.returncode == 0, log[-3000:]
        assert len(top1(log, 'test')) == 1
    with open(out, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 4  # 4 classes x 1 val image
    for prediction in predictions:
        score = prediction['pred_score']
        assert score.shape == (4, ) and abs(float(score.sum()) - 1) < 1e-5
        assert int(prediction['pred_label']) == int(score.argmax())
    painted = sorted(path.name for path in show.rglob('*.png'))
    assert len(painted) == 4, painted


@pytest.mark.parametrize('option', [['--inference', 'slide'],
                                    ['--cityscapes-eval'],
                                    ['--tta', 'ms-flip'],
                                    ['--tta-scales', '1.0'],
                                    ['--submit', 'out'],
                                    ['--show-dir', 'show', '--tta']])
def test_test_tool_refuses_segmentation_options_for_a_classifier(
        option, tmp_path):
    config = FAMILIES['3gnet']
    with pytest.raises(SystemExit) as refusal:
        load_tool('test').main([config, 'any.pth', *option])
    message = str(refusal.value)
    assert message.startswith(
        f'tools/test.py: {" ".join(option[:1 + (option[0] == "--tta")])} ')
    assert re.search('needs? a segmentation .mmseg. config', message)
    assert '\n' not in message
