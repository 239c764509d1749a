"""Weight initialisation without mmengine's log record per parameter."""
import logging

import torch
from mmengine.logging import MMLogger


def init_weights_quietly(model: torch.nn.Module) -> None:
    """``model.init_weights()`` without mmengine's INFO record per
    parameter (keeps the output readable)."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
