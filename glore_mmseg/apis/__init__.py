"""High-level entry points: projection maps of GloRe units, the model index
(configs by name, mmpretrain ``ModelHub``) and the segmentation inferencer.
"""
from .model_index import (MODEL_INDEX, find_config, model_configs,
                          register_classifiers)
from .projection_maps import (ProjectionRecorder, find_glore_units,
                              init_projection_model, model_view,
                              projection_maps)
from .strict_init import init_model_strictly

__all__ = [
    'MODEL_INDEX', 'ProjectionRecorder', 'find_config', 'find_glore_units',
    'init_model_strictly', 'init_projection_model', 'model_configs',
    'model_view', 'projection_maps', 'register_classifiers'
]
