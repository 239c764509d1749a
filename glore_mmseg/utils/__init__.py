from .config_checks import (check_config_paths, find_checkpoint_problems,
                            find_dataset_problems)
from .launch import replace_sync_bn, setup_cpu_distributed
from .test_time import (apply_test_time_options, build_tta_pipeline,
                        drop_annotation_loading, set_inference_mode)

__all__ = [
    'apply_test_time_options', 'build_tta_pipeline', 'check_config_paths',
    'drop_annotation_loading', 'find_checkpoint_problems',
    'find_dataset_problems', 'replace_sync_bn', 'set_inference_mode',
    'setup_cpu_distributed'
]
