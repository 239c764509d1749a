import os
import os.path as osp

import mmcv
import numpy as np
import pytest

from glore_mmseg.engine.checkpoint_match import CheckpointMismatchError
from tests.conftest import DEMO_CONFIG, load_tool, write_test_image


@pytest.fixture(scope='module')
def tool():
    return load_tool('visualize_projection')


def test_node_grids_and_assignments_for_a_folder(tool, glore_segmentor,
                                                 tmp_path, capsys):
    config, checkpoint = glore_segmentor
    images = tmp_path / 'images'
    os.makedirs(images / 'sub')
    write_test_image(images / 'a.png')
    write_test_image(images / 'sub' / 'b.jpg', height=48, width=128)
    (images / 'notes.txt').write_text('not an image')
    out = tmp_path / 'maps'
    units = ['backbone.glore_units.layer4_0', 'decode_head.glore_units.1']
    tool.main([
        config, checkpoint,
        str(images), '--out',
        str(out), '--unit', *units, '--nodes', '5', '--tile-width', '64'
    ])
    assert sorted(os.listdir(out)) == ['a', 'sub']
    assert os.listdir(out / 'sub') == ['b']
    assert sorted(os.listdir(out / 'a')) == sorted(
        f'{unit}_{kind}.png' for unit in units
        for kind in ('nodes', 'assignment'))
    for stem, tile_height in (('a', 32), ('sub/b', 24)):
        for unit in units:
            # 5 nodes: rows of ceil(sqrt(5)) = 3 tiles, 2 rows.
            grid = mmcv.imread(str(out / stem / f'{unit}_nodes.png'))
            assert grid.shape == (2 * tile_height, 3 * 64, 3)
            tiles = [grid[:tile_height, i * 64:(i + 1) * 64]
                     for i in range(3)]
            assert all(tile.std() > 5 for tile in tiles)
            # Different nodes, different heatmaps (below the index label).
            assert np.abs(tiles[0][16:].astype(int) - tiles[1][16:]).mean() > 5
            assert grid[tile_height:, 2 * 64:].max() == 0  # unused tile
            assignment = mmcv.imread(
                str(out / stem / f'{unit}_assignment.png'))
            # The image, then a white legend strip below it.
            assert assignment.shape[1:] == (64, 3)
            assert assignment.shape[0] > tile_height
            assert assignment[:tile_height].std() > 5
            assert assignment[tile_height:].max() == 255
    printed = capsys.readouterr().out
    assert 'wrote 8 PNGs for 2 image(s) and 2 unit(s)' in printed


def test_bad_input_is_named(tool, glore_segmentor, tmp_path):
    config, checkpoint = glore_segmentor
    image = write_test_image(tmp_path / 'a.png')
    with pytest.raises(ValueError, match=r"no GloRe unit named \['head'\]"):
        tool.main([config, checkpoint, image, '--out', str(tmp_path / 'o'),
                   '--unit', 'head'])
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='No image .* in the folder'):
        tool.main([config, checkpoint, str(empty), '--out',
                   str(tmp_path / 'o')])
    with pytest.raises(SystemExit, match='missing.pth'):
        tool.main([config, osp.join(tmp_path, 'missing.pth'), image,
                   '--out', str(tmp_path / 'o')])


def test_a_checkpoint_of_another_model_is_refused(tool, glore_segmentor,
                                                  tmp_path):
    # Two head units and backbone units given with the one-unit demo
    # config: the maps would show a unit whose weights were never loaded.
    config, checkpoint = glore_segmentor
    image = write_test_image(tmp_path / 'a.png')
    with pytest.raises(CheckpointMismatchError) as err:
        tool.main([DEMO_CONFIG, checkpoint, image, '--out',
                   str(tmp_path / 'o')])
    message = str(err.value)
    assert 'in the checkpoint, not in the model' in message
    assert '  backbone.glore_units.layer3_0.conv_proj.weight' in message
    assert not osp.exists(tmp_path / 'o')


def test_classifier_maps_cover_its_centre_crop(tool, glore_classifier,
                                               tmp_path, capsys):
    config, checkpoint = glore_classifier
    image = write_test_image(tmp_path / 'bird.png')  # 64x128
    out = tmp_path / 'maps'
    tool.main([config, checkpoint, image, '--out', str(out), '--nodes', '4',
               '--tile-width', '40'])
    units = ['backbone.glore_units.layer2_0', 'backbone.glore_units.layer3_0']
    assert sorted(os.listdir(out / 'bird')) == sorted(
        f'{unit}_{kind}.png' for unit in units
        for kind in ('nodes', 'assignment'))
    for unit in units:
        # The test pipeline's 48x48 centre crop, drawn 40 wide: square
        # tiles; 4 nodes in a 2x2 grid.
        grid = mmcv.imread(str(out / 'bird' / f'{unit}_nodes.png'))
        assert grid.shape == (2 * 40, 2 * 40, 3)
        tiles = [grid[r * 40:(r + 1) * 40, c * 40:(c + 1) * 40]
                 for r in range(2) for c in range(2)]
        assert all(tile.std() > 5 for tile in tiles)
        assert np.abs(tiles[0][14:].astype(int) - tiles[1][14:]).mean() > 1
        assignment = mmcv.imread(str(out / 'bird' / f'{unit}_assignment.png'))
        # The 40x40 view, then the legend strip below it.
        assert assignment.shape[1:] == (40, 3) and assignment.shape[0] > 40
        assert assignment[:40].std() > 5
    assert 'wrote 4 PNGs for 1 image(s) and 2 unit(s)' in \
        capsys.readouterr().out
