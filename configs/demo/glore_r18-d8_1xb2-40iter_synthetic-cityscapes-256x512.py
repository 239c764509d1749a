# CPU demo: the real GloRe Cityscapes config (same model, data pipeline,
# runner, hooks and metric) scaled down to a ResNet-18-D8 from scratch and
# 128x256 crops of the 512x256 synthetic images that tools/demo.py writes.
_base_ = '../glore/glore_r50-d8_4xb2-40k_cityscapes-512x1024.py'
data_root = 'work_dirs/demo/data/cityscapes/'
crop_size = (128, 256)
scale = (512, 256)
max_iters = 40
interval = 20

model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, channels=64, num_state=32, num_node=16),
    auxiliary_head=dict(in_channels=256, channels=32))

# the fast train pipeline of configs/_base_/datasets/cityscapes_fast.py
train_pipeline = [
    dict(type='FastLoadImageFromFile'),
    dict(type='FastLoadAnnotations'),
    dict(type='CheckSegMap', num_classes=19),
    dict(
        type='FusedRandomResizeCrop', scale=scale, ratio_range=(0.5, 2.0),
        keep_ratio=True, crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='FastPhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='CheckSegMap', num_classes=19),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=2,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=interval)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=interval))
# Fixed seed: the demo's numbers repeat from run to run on one machine.
randomness = dict(seed=0)
