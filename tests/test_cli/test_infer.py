import os.path as osp

import mmcv
import numpy as np
import pytest
import torch
from cityscapesscripts.helpers.labels import labels as cityscapes_labels
from mmseg.datasets import CityscapesDataset

from tests.conftest import DEMO_CONFIG, load_tool, write_test_image


@pytest.fixture(scope='module')
def tool():
    return load_tool('infer')


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """A folder with a 64x128 image, its mirror image and a 37x61 image in
    a sub-folder."""
    root = tmp_path_factory.mktemp('images')
    image = read(write_test_image(root / 'a.png'))
    mmcv.imwrite(image[:, ::-1], str(root / 'mirrored.png'))
    (root / 'sub').mkdir()
    write_test_image(root / 'sub' / 'b.jpg', height=37, width=61)
    return str(root)


def read(path):
    return mmcv.imread(path, flag='unchanged')


def run_tool(tool, glore_segmentor, images, out, *options):
    tool.main([*glore_segmentor, images, '--out', out, *options])
    return {
        name: read(osp.join(out, 'pred', f'{name}.png'))
        for name in ('a', 'mirrored', 'sub/b')
    }


def test_overlays_and_train_ids_of_a_folder(tool, glore_segmentor, images,
                                            tmp_path, capsys):
    from mmseg.apis import inference_model, init_model
    out = str(tmp_path / 'out')
    labels = run_tool(tool, glore_segmentor, images, out, '--device', 'cpu')
    assert 'wrote 3 overlay(s)' in capsys.readouterr().out
    model = init_model(*glore_segmentor, device='cpu')
    for name, source, shape in (('a', 'a.png', (64, 128)),
                                ('sub/b', 'sub/b.jpg', (37, 61))):
        source = osp.join(images, source)
        expected = inference_model(model, source).pred_sem_seg.data[0]
        assert labels[name].dtype == np.uint8
        assert labels[name].shape == shape
        np.testing.assert_array_equal(labels[name], expected.numpy())
        overlay = read(osp.join(out, 'vis', name + '.png'))
        assert overlay.shape == shape + (3, )
        assert np.abs(overlay.astype(int) - read(source)).mean() > 5
    # Without TTA the random model is not mirror-symmetric.
    assert not np.array_equal(labels['mirrored'], labels['a'][:, ::-1])


def test_flip_tta_and_label_ids(tool, glore_segmentor, images, tmp_path):
    labels = run_tool(tool, glore_segmentor, images, str(tmp_path),
                      '--tta', 'flip', '--label-ids')
    # Averaging the logits of an image and its mirror makes the prediction
    # of the mirrored image the mirror of the prediction.
    np.testing.assert_array_equal(labels['mirrored'], labels['a'][:, ::-1])
    train_ids = {label.id: label.trainId for label in cityscapes_labels}
    for prediction in labels.values():
        assert all(train_ids[i] < 19 for i in np.unique(prediction))
    assert labels['sub/b'].shape == (37, 61)


def test_checkpoint_problems_are_named(tool, glore_segmentor, images,
                                       tmp_path):
    config, checkpoint = glore_segmentor
    state = torch.load(checkpoint, weights_only=True)
    bare = str(tmp_path / 'bare.pth')
    torch.save(dict(state_dict=state['state_dict']), bare)
    out = str(tmp_path / 'out')
    with pytest.raises(ValueError, match='no meta.dataset_meta'):
        tool.main([config, bare, images, '--out', out])
    other = str(tmp_path / 'other.pth')
    torch.save(
        dict(state, meta=dict(dataset_meta=dict(classes=('a', ) * 19))),
        other)
    with pytest.raises(ValueError, match='--label-ids converts the 19'):
        tool.main([config, other, images, '--out', out, '--label-ids'])
    # The one strict rule of every tool (CheckpointMismatchError).
    with pytest.raises(RuntimeError,
                       match=r'in the checkpoint, not in the model \(\d+\):'
                       r'\n  backbone.glore_units.layer3_0'):
        tool.main([DEMO_CONFIG, checkpoint, images, '--out', out])


def test_demo_checkpoint_by_model_name(tool, demo_run, tmp_path):
    from mmengine.utils import scandir

    from glore_mmseg.compat import load_from_local_weights_only
    work_dir, _ = demo_run
    checkpoint = osp.join(work_dir, 'iter_40.pth')
    meta = load_from_local_weights_only(checkpoint)['meta']
    assert meta['dataset_meta']['classes'] == \
        CityscapesDataset.METAINFO['classes']
    val = osp.join(work_dir, 'data', 'cityscapes', 'leftImg8bit', 'val')
    out = str(tmp_path / 'out')
    tool.main([
        'glore_r18-d8_1xb2-40iter_synthetic-cityscapes-256x512', checkpoint,
        val, '--out', out, '--label-ids'
    ])
    sources = sorted(scandir(val, '.png', recursive=True))
    assert sorted(scandir(osp.join(out, 'pred'), recursive=True)) == sources
    label_ids = {
        label.id
        for label in cityscapes_labels if label.trainId < 19
    }
    for name in sources:
        prediction = read(osp.join(out, 'pred', name))
        assert prediction.shape == read(osp.join(val, name)).shape[:2]
        assert set(np.unique(prediction)) <= label_ids
