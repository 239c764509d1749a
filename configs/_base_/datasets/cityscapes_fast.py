# This package's checked Cityscapes data settings (./cityscapes.py: mmseg's,
# with CheckSegMap after label loading) with a faster train pipeline: the same
# augmentation with the same random draws (identical scales, crop boxes,
# flips, labels and photometric distortion; the resized image within 1 grey
# level), at a fraction of the CPU time per image (docs/en/performance.md,
# "Fast data pipeline"). Stock pipeline: use '../_base_/datasets/cityscapes.py'
# instead of this file in a config's _base_.
_base_ = './cityscapes.py'
crop_size = (512, 1024)
# 'auto': read the arrays of tools/build_decoded_cache.py where present,
# else decode the PNGs; 'require': fail on a missing one; 'off': PNGs only.
decoded_cache = 'auto'
train_pipeline = [
    dict(type='FastLoadImageFromFile', decoded_cache=decoded_cache),
    dict(type='FastLoadAnnotations', decoded_cache=decoded_cache),
    _base_.check_seg_map,
    dict(
        type='FusedRandomResizeCrop',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True,
        crop_size=crop_size,
        cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='FastPhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
