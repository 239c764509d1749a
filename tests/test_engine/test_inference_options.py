"""Inference mode and test-time augmentation config edits."""
import pytest
from mmengine.config import Config

from glore_mmseg.datasets.pipeline_edits import drop_annotation_loading
from glore_mmseg.engine.inference_options import (apply_test_time_options,
                                                  build_tta_pipeline)

TEST_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]


def make_cfg():
    return Config(
        dict(
            crop_size=(512, 1024),
            model=dict(type='EncoderDecoder', test_cfg=dict(mode='whole')),
            test_dataloader=dict(dataset=dict(pipeline=TEST_PIPELINE)),
            tta_pipeline=[dict(type='LoadImageFromFile')]))


def test_multi_scale_flip_pipeline_matches_mmseg_cityscapes_ratios():
    pipeline = build_tta_pipeline(
        TEST_PIPELINE, flip=True, scales=(0.5, 0.75, 1.0, 1.25, 1.5, 1.75))
    assert pipeline[0] == dict(type='LoadImageFromFile')
    tta = pipeline[1]
    assert tta['type'] == 'TestTimeAug' and len(pipeline) == 2
    resizes, flips, annotations, pack = tta['transforms']
    assert [r['scale'] for r in resizes] == [(1024, 512), (1536, 768),
                                             (2048, 1024), (2560, 1280),
                                             (3072, 1536), (3584, 1792)]
    assert all(r['keep_ratio'] for r in resizes)
    assert [f['prob'] for f in flips] == [0., 1.]
    assert annotations == [dict(type='LoadAnnotations')]
    assert pack == [dict(type='PackSegInputs')]


def test_flip_only_keeps_the_single_test_scale():
    tta = build_tta_pipeline(TEST_PIPELINE, flip=True)[1]
    assert [r['scale'] for r in tta['transforms'][0]] == [(2048, 1024)]
    assert len(tta['transforms'][1]) == 2


def test_apply_wraps_the_model_in_seg_tta_model():
    cfg = make_cfg()
    apply_test_time_options(cfg, tta='ms', scales=[1.0, 1.5])
    assert cfg.model.type == 'SegTTAModel'
    assert cfg.model.module.type == 'EncoderDecoder'
    tta = cfg.test_dataloader.dataset.pipeline[1]
    assert len(tta['transforms'][0]) == 2 and len(tta['transforms'][1]) == 1

    cfg = make_cfg()
    apply_test_time_options(cfg, tta='config')
    assert cfg.test_dataloader.dataset.pipeline == cfg.tta_pipeline


def test_slide_inference_uses_the_training_crop():
    cfg = make_cfg()
    apply_test_time_options(cfg, inference='slide')
    assert cfg.model.test_cfg == dict(
        mode='slide', crop_size=(512, 1024), stride=(341, 683))
    apply_test_time_options(cfg, inference='whole')
    assert cfg.model.test_cfg == dict(mode='whole')


@pytest.mark.parametrize('kwargs,error,match', [
    (dict(tta='flip', scales=[1.0]), ValueError, 'needs --tta ms'),
    (dict(scales=[1.0]), ValueError, 'needs --tta ms'),
    (dict(tta='rotate'), ValueError, 'tta must be one of'),
    (dict(inference='tiles'), ValueError, "'whole' or 'slide'"),
])
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        apply_test_time_options(make_cfg(), **kwargs)


def test_slide_needs_a_crop_size():
    cfg = make_cfg()
    cfg.pop('crop_size')
    with pytest.raises(KeyError, match='needs the crop size'):
        apply_test_time_options(cfg, inference='slide')


def test_drop_annotation_loading_reaches_inside_test_time_aug():
    pipeline = build_tta_pipeline(TEST_PIPELINE, flip=True)
    kept = drop_annotation_loading(pipeline)
    assert [t[0]['type'] for t in kept[1]['transforms']] == [
        'Resize', 'RandomFlip', 'PackSegInputs'
    ]
    assert 'LoadAnnotations' not in str(kept)
    assert [s['type'] for s in drop_annotation_loading(TEST_PIPELINE)] == [
        'LoadImageFromFile', 'Resize', 'PackSegInputs'
    ]


def test_drop_annotation_loading_drops_the_label_check():
    checked = TEST_PIPELINE[:3] + [
        dict(type='CheckSegMap', num_classes=19)
    ] + TEST_PIPELINE[3:]
    assert [s['type'] for s in drop_annotation_loading(checked)] == [
        'LoadImageFromFile', 'Resize', 'PackSegInputs'
    ]
    kept = drop_annotation_loading(build_tta_pipeline(checked, flip=False))
    assert [t[0]['type'] for t in kept[1]['transforms']] == [
        'Resize', 'RandomFlip', 'PackSegInputs'
    ]
