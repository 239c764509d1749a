# GloRe head on a dilated multi-grid ResNet-50-D8 (output stride 8), as in
# Chen et al., CVPR 2019, Sec. 4.2: stock mmseg FCN R50-D8 with the FCN head
# replaced by conv3x3 -> GloRe unit(s) -> conv3x3 -> dropout -> classifier.
# The head's unit starts as the paper's ("randomly initialized") and the
# official segmentation head's: its blocker is a plain BatchNorm (weight 1,
# bias 0, eps 1e-5). zero_init=True gives the backbone units' identity start.
_base_ = 'mmseg::_base_/models/fcn_r50-d8.py'
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    # ImageNet ResNet-50-V1c weights from a local file; nothing is
    # downloaded. Set model.pretrained=None to train from scratch.
    pretrained='checkpoints/resnet50_v1c-2cccc1ad.pth',
    # mmseg's multi_grid holds absolute rates: multi-grid (1, 2, 4) on the
    # last stage (dilation 4) is (4, 8, 16).
    backbone=dict(multi_grid=(4, 8, 16)),
    decode_head=dict(
        _delete_=True,
        type='GloReHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        num_units=1,
        num_state=128,
        num_node=64,
        normalize=True,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
