"""The wheel as another project uses it: built, installed without the
repository on ``sys.path``, and used from an empty folder.

The slowest test of the suite (a wheel build and three interpreters); it
is what a user of ``pip install glore_mmseg-*.whl`` gets.
"""
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO, write_test_image

DEMO_NAME = 'glore_r18-d8_1xb2-40iter_synthetic-cityscapes-256x512'
DEMO_BASE = f'glore_mmseg::demo/{DEMO_NAME}.py'
CLASSIFIER = 'glore-res4x3_resnet50_8xb32_in1k'


def copy_checkout(target):
    """The repository's files as a fresh clone has them (links kept)."""
    listed = subprocess.run(['git', 'ls-files', '-z'],
                            cwd=REPO,
                            capture_output=True,
                            check=True).stdout.decode().split('\0')
    for name in filter(None, listed):
        source, dest = osp.join(REPO, name), osp.join(target, name)
        os.makedirs(osp.dirname(dest), exist_ok=True)
        if osp.islink(source):
            os.symlink(os.readlink(source), dest)
        elif osp.isfile(source):
            shutil.copy2(source, dest)
    return target


@pytest.fixture(scope='module')
def wheel_site(tmp_path_factory):
    """(wheel path, folder the wheel is installed into with --target)."""
    root = tmp_path_factory.mktemp('wheel')
    source = copy_checkout(str(root / 'source'))
    dist = str(root / 'dist')
    subprocess.run([
        sys.executable, '-m', 'pip', 'wheel', '--no-deps',
        '--no-build-isolation', '-q', '-w', dist, source
    ], check=True, capture_output=True)
    wheel, = os.listdir(dist)
    site = str(root / 'site')
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '--no-deps', '-q',
        '--target', site, osp.join(dist, wheel)
    ], check=True, capture_output=True)
    return osp.join(dist, wheel), site


def run_installed(site, args, cwd):
    """Run with the installed wheel first on ``sys.path`` and the repository
    nowhere on it (an empty ``cwd``, no PYTHONPATH of the checkout)."""
    env = dict(os.environ, PYTHONPATH=site, PYTHONWARNINGS='ignore')
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_wheel_carries_configs_tools_index_and_start_up_hook(
        wheel_site):
    wheel, _ = wheel_site
    names = set(zipfile.ZipFile(wheel).namelist())
    mim = 'glore_mmseg/.mim/'
    for name in ('model-index.yml', f'configs/demo/{DEMO_NAME}.py',
                 'configs/glore/metafile.yml',
                 'configs/_base_/models/glore_r50-d8.py', 'tools/train.py',
                 'tools/dist_train.sh'):
        assert mim + name in names, name
    assert 'glore_mmseg_hook.pth' in names
    index = zipfile.ZipFile(wheel).read(mim + 'model-index.yml').decode()
    for metafile in index.split('- ')[1:]:
        assert mim + metafile.strip() in names, metafile
    entry_points = [n for n in names if n.endswith('entry_points.txt')]
    assert 'glore-mmseg = glore_mmseg.cli:main' in zipfile.ZipFile(
        wheel).read(entry_points[0]).decode()


def test_another_project_inherits_and_builds_a_config(wheel_site, tmp_path):
    _, site = wheel_site
    (tmp_path / 'my_config.py').write_text(
        f'_base_ = [{DEMO_BASE!r}]\n'
        'model = dict(decode_head=dict(num_units=2))\n')
    script = (
        'import sys\n'
        'from mmengine.config import Config\n'
        "assert 'glore_mmseg' not in sys.modules\n"
        "cfg = Config.fromfile('my_config.py')\n"
        'from mmseg.apis import init_model\n'
        "model = init_model(cfg, device='cpu')\n"
        'import glore_mmseg\n'
        'print(glore_mmseg.__file__)\n'
        'print(type(model.decode_head).__name__, '
        'len(model.decode_head.glore_units))\n'
        'import os.path as osp\n'
        "print([p for p in sys.path if osp.realpath(p or '.') == %r])\n"
        % osp.realpath(REPO))
    result = run_installed(site, [sys.executable, '-c', script],
                           str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    package_file, head, repo_paths = result.stdout.strip().splitlines()[-3:]
    assert package_file.startswith(site)
    assert head == 'GloReHead 2'
    assert repo_paths == '[]'


def test_classifier_by_name_from_the_wheel(wheel_site, tmp_path):
    _, site = wheel_site
    script = ('import glore_mmseg, mmpretrain\n'
              f'model = mmpretrain.get_model({CLASSIFIER!r})\n'
              'print(glore_mmseg.__file__)\n'
              'print(type(model.backbone).__name__, '
              'round(sum(p.numel() for p in model.parameters()) / 1e6, 1))\n')
    result = run_installed(site, [sys.executable, '-c', script],
                           str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    package_file, backbone = result.stdout.strip().splitlines()[-2:]
    assert package_file.startswith(site)
    # The paper's R50 + 3 units in Res4: 30.5 M parameters.
    assert backbone == 'GloReResNet 30.5'


def test_glore_mmseg_infer_by_model_name_from_the_wheel(
        wheel_site, demo_run, tmp_path):
    _, site = wheel_site
    work_dir, _ = demo_run
    checkpoint = osp.join(work_dir, 'iter_40.pth')
    image = write_test_image(tmp_path / 'street.png')
    out = tmp_path / 'out'
    result = run_installed(site, [
        osp.join(site, 'bin', 'glore-mmseg'), 'infer', DEMO_NAME, checkpoint,
        image, '--out', str(out)
    ], str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    written = sorted(p.name for p in out.rglob('*.png'))
    assert written, result.stdout
    assert any('street' in name for name in written)


def test_glore_mmseg_help_lists_every_command(wheel_site, tmp_path):
    _, site = wheel_site
    result = run_installed(site, [osp.join(site, 'bin', 'glore-mmseg'),
                                  '--help'], str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    for command in ('train', 'test', 'infer', 'visualize-projection',
                    'check-dataset', 'build-cache', 'convert', 'benchmark',
                    'benchmark-data', 'context-benchmark', 'demo'):
        assert f'\n  {command} ' in result.stdout, command
