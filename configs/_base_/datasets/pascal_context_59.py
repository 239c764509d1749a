# mmseg's Pascal Context 59 data settings with every label checked as it is
# loaded (CheckSegMap, right after LoadAnnotations, before any resize). The
# files store 0 (background, none of the 59 classes) and 1..59;
# LoadAnnotations' reduce_zero_label makes them 255 and the classes 0..58,
# which the check then sees. Needs glore_mmseg imported.
_base_ = 'mmseg::_base_/datasets/pascal_context_59.py'
check_seg_map = dict(type='CheckSegMap', num_classes=59, ignore_index=255)

train_pipeline = _base_.train_pipeline
train_pipeline.insert(2, check_seg_map)  # after LoadAnnotations
test_pipeline = _base_.test_pipeline
test_pipeline.insert(3, check_seg_map)  # after Resize, LoadAnnotations
tta_pipeline = _base_.tta_pipeline
tta_pipeline[1]['transforms'].insert(3, [check_seg_map])

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
