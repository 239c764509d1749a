# GloRe in the backbone of a segmentor: mmseg's stock FCN R50-D8 Cityscapes
# recipe (fcn_r50-d8_4xb2-80k_cityscapes-512x1024.py, with its bases listed
# here and this package's checked, fast Cityscapes data settings) with 3 GloRe
# units after blocks 1, 3, 5 of Res4 (the ImageNet placement). 1/L
# normalisation is on: crops and whole images differ in L. As in the official
# backbone networks, each unit's blocker starts at zero (eps 1e-4): the units
# start as the identity inside the pretrained ResNet.
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    # fast train pipeline; stock: '../_base_/datasets/cityscapes.py'
    '../_base_/datasets/cityscapes_fast.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/training_safeguards.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)
crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)

model = dict(
    data_preprocessor=data_preprocessor,
    pretrained='checkpoints/resnet50_v1c-2cccc1ad.pth',
    backbone=dict(
        type='GloReResNetV1c', glore_units=(0, 0, 3, 0),
        glore_normalize=True))
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))
