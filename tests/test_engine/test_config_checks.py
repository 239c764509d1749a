import os
import shutil

import pytest
from mmengine.config import Config

from glore_mmseg.engine.config_checks import (UnreadableFileError,
                                              check_config_paths)
from tests.conftest import DEMO_CONFIG, label_file, truncate_file


def demo_cfg(data_root, **changes):
    cfg = Config.fromfile(DEMO_CONFIG)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    cfg.merge_from_dict(changes)
    return cfg


def test_valid_config_passes(cityscapes_root):
    check_config_paths(demo_cfg(cityscapes_root), mode='train')


def test_missing_data_root_names_the_key(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'train_dataloader\.dataset\.data_root: folder '
                       r'.*nowhere.* does not exist'):
        check_config_paths(demo_cfg(str(tmp_path / 'nowhere')), mode='train')


def test_missing_split_folder_names_the_key(tmp_path, cityscapes_root):
    root = str(tmp_path / 'cs')
    shutil.copytree(cityscapes_root, root)
    shutil.rmtree(os.path.join(root, 'gtFine', 'val'))
    check_config_paths(demo_cfg(root, **{
        'val_dataloader.dataset.data_root': cityscapes_root}), mode='val')
    with pytest.raises(FileNotFoundError,
                       match=r'val_dataloader\.dataset\.data_prefix\.'
                       r'seg_map_path'):
        check_config_paths(demo_cfg(root), mode='val')


def test_missing_label_file_is_named(tmp_path, cityscapes_root):
    root = str(tmp_path / 'cs')
    shutil.copytree(cityscapes_root, root)
    label = os.path.join(root, 'gtFine', 'train', 'aachen',
                         'aachen_000000_000019_gtFine_labelTrainIds.png')
    os.remove(label)
    with pytest.raises(FileNotFoundError) as err:
        check_config_paths(demo_cfg(root), mode='train')
    assert f"seg_map_path file '{label}' is missing" in str(err.value)


def test_empty_split_is_reported(tmp_path):
    for sub in ('leftImg8bit/train', 'gtFine/train', 'leftImg8bit/val',
                'gtFine/val'):
        os.makedirs(tmp_path / sub)
    with pytest.raises(FileNotFoundError, match='no images found'):
        check_config_paths(demo_cfg(str(tmp_path)), mode='train')


def test_missing_pretrained_checkpoint(cityscapes_root):
    cfg = demo_cfg(
        cityscapes_root, **{'model.pretrained': 'checkpoints/none.pth'})
    with pytest.raises(FileNotFoundError,
                       match=r"model\.pretrained: checkpoint file "
                       r"'checkpoints/none.pth' not found"):
        check_config_paths(cfg, mode='train')
    # Testing loads the trained checkpoint instead of ImageNet weights.
    check_config_paths(cfg, mode='test')
    cfg.load_from = 'missing/iter_1.pth'
    with pytest.raises(FileNotFoundError, match=r'load_from: .*iter_1.pth'):
        check_config_paths(cfg, mode='test')


def test_unreadable_image_is_named_when_images_are_verified(
        tmp_path, cityscapes_root):
    root = str(tmp_path / 'cs')
    shutil.copytree(cityscapes_root, root)
    image = os.path.join(root, 'leftImg8bit', 'train', 'aachen',
                         'aachen_000000_000019_leftImg8bit.png')
    with open(image, 'wb') as f:
        f.write(b'not a png')
    cfg = demo_cfg(root)
    check_config_paths(cfg, mode='train')  # only existence by default
    # Unreadable, not missing: its own error, which names the file.
    with pytest.raises(UnreadableFileError) as err:
        check_config_paths(cfg, mode='train', verify_images=True)
    assert not isinstance(err.value, FileNotFoundError)
    message = str(err.value)
    assert message.startswith('Config points at unreadable files:')
    assert f"train_dataloader.dataset: image '{image}' is unreadable (it " \
        'is not an image file' in message
    assert message.count('is unreadable') == 1  # the good images pass
    truncated = image.replace('000000_000019', '000002_000021')
    truncate_file(truncated)
    with open(image, 'wb'):
        pass  # empty
    os.remove(label_file(root, 'train', 2))  # aachen_000004_000023
    with pytest.raises(FileNotFoundError) as err:
        check_config_paths(cfg, mode='train', verify_images=True)
    message = str(err.value)
    assert message.startswith('Config points at missing paths:')
    assert 'Unreadable files:' in message
    assert f"image '{image}' is unreadable (it is empty: not an image " \
        'file)' in message
    assert f"image '{truncated}' is unreadable (" in message
