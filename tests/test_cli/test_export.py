"""tools/export.py and tools/infer.py with the exported file."""
import os.path as osp

import mmcv
import numpy as np
import pytest
import torch

from glore_mmseg.cli.export import parse_args
from tests.conftest import load_tool, write_test_image


@pytest.fixture(scope='module')
def exported(glore_segmentor, tmp_path_factory):
    """The 2-unit test segmentor exported by the tool (dynamic, default
    exporter), checked on an image: (config, onnx path, tool output)."""
    pytest.importorskip('onnxruntime')
    pytest.importorskip('onnxscript')
    folder = tmp_path_factory.mktemp('export')
    image = write_test_image(folder / 'check.png')
    path = str(folder / 'model.onnx')
    config, checkpoint = glore_segmentor
    load_tool('export').main(
        [config, checkpoint, '--out', path, '--check', image])
    return config, path


def test_export_checks_and_infer_equals_the_checkpoint(
        exported, glore_segmentor, tmp_path, capsys):
    config, path = exported
    images = tmp_path / 'images'
    (images / 'sub').mkdir(parents=True)
    write_test_image(images / 'a.png')
    write_test_image(images / 'sub' / 'b.jpg', height=37, width=61)
    infer = load_tool('infer')
    infer.main([config, path, str(images), '--out', str(tmp_path / 'onnx')])
    infer.main([*glore_segmentor, str(images), '--out',
                str(tmp_path / 'torch'), '--device', 'cpu'])
    for name in ('a', 'sub/b'):
        files = [osp.join(tmp_path, run, kind, name + '.png')
                 for run in ('onnx', 'torch') for kind in ('pred', 'vis')]
        onnx_pred, onnx_vis, torch_pred, torch_vis = map(mmcv.imread, files)
        np.testing.assert_array_equal(onnx_pred, torch_pred)
        np.testing.assert_array_equal(onnx_vis, torch_vis)
    from glore_mmseg.deploy import read_metadata
    metadata = read_metadata(path)
    assert metadata['output'] == 'logits' and len(metadata['classes']) == 19


def test_a_checkpoint_of_another_model_is_refused(glore_segmentor, tmp_path):
    from glore_mmseg.engine.checkpoint_match import CheckpointMismatchError
    config, checkpoint = glore_segmentor
    state = torch.load(checkpoint, weights_only=True)['state_dict']
    state.pop('decode_head.conv_seg.bias')
    state['extra.weight'] = torch.zeros(1)
    bad = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict=state), bad)
    out = tmp_path / 'model.onnx'
    with pytest.raises(CheckpointMismatchError,
                       match=r'(?s)missing.*conv_seg.bias.*extra.weight'):
        load_tool('export').main([config, bad, '--out', str(out)])
    assert not out.exists()


def test_labels_graph_is_refused_by_infer(glore_segmentor, tmp_path):
    pytest.importorskip('onnxruntime')
    config, checkpoint = glore_segmentor
    path = str(tmp_path / 'labels.onnx')
    load_tool('export').main(
        [config, checkpoint, '--out', path, '--argmax', '--legacy',
         '--shape', '64', '128'])
    with pytest.raises(ValueError, match='outputs .labels.*without --argmax'):
        load_tool('infer').main(
            [config, path, write_test_image(tmp_path / 'a.png'), '--out',
             str(tmp_path / 'out')])


@pytest.mark.parametrize('argv,match', [
    (['--out', 'model.pt'], 'must name a .onnx file'),
    (['--out', 'm.onnx', '--int8'], 'needs --calib'),
    (['--out', 'm.onnx', '--shape', '16', '64'], 'at least 32'),
])
def test_bad_arguments(argv, match, capsys):
    with pytest.raises(SystemExit):
        parse_args(['config.py', 'ckpt.pth', *argv])
    assert match in capsys.readouterr().err
