# Stock mmseg FCN (2 convs + concat_input) on the context-cue task.
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py', '../_base_/context_benchmark.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)
model = _base_.context_model
