from .config_checks import (check_config_paths, find_checkpoint_problems,
                            find_dataset_problems)
from .launch import replace_sync_bn, setup_cpu_distributed

__all__ = [
    'check_config_paths', 'find_checkpoint_problems', 'find_dataset_problems',
    'replace_sync_bn', 'setup_cpu_distributed'
]
