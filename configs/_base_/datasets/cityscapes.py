# mmseg's Cityscapes data settings with every label checked as it is loaded
# (CheckSegMap, right after LoadAnnotations, before any resize): a label of
# another size than its image, or with a value that is neither a class
# (0..18) nor 255, stops the run naming both files. Needs glore_mmseg
# imported (the configs' custom_imports).
_base_ = 'mmseg::_base_/datasets/cityscapes.py'
check_seg_map = dict(type='CheckSegMap', num_classes=19, ignore_index=255)

train_pipeline = _base_.train_pipeline
train_pipeline.insert(2, check_seg_map)  # after LoadAnnotations
test_pipeline = _base_.test_pipeline
test_pipeline.insert(3, check_seg_map)  # after Resize, LoadAnnotations
tta_pipeline = _base_.tta_pipeline
tta_pipeline[1]['transforms'].insert(3, [check_seg_map])

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
