# mmseg's Pascal VOC 2012 + SBD aug data settings with every label checked
# as it is loaded (CheckSegMap, right after LoadAnnotations, before any
# resize): classes 0..20 (0 the background), 255 the void border. Both
# training sets (VOC's SegmentationClass, SBD's SegmentationClassAug) get
# the checked pipeline. Needs glore_mmseg imported.
_base_ = 'mmseg::_base_/datasets/pascal_voc12_aug.py'
check_seg_map = dict(type='CheckSegMap', num_classes=21, ignore_index=255)

train_pipeline = _base_.train_pipeline
train_pipeline.insert(2, check_seg_map)  # after LoadAnnotations
test_pipeline = _base_.test_pipeline
test_pipeline.insert(3, check_seg_map)  # after Resize, LoadAnnotations
tta_pipeline = _base_.tta_pipeline
tta_pipeline[1]['transforms'].insert(3, [check_seg_map])

dataset_train = dict(_base_.dataset_train, pipeline=train_pipeline)
dataset_aug = dict(_base_.dataset_aug, pipeline=train_pipeline)
train_dataloader = dict(
    dataset=dict(datasets=[dataset_train, dataset_aug]))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
