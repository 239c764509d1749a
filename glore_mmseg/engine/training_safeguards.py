"""Add the package's training safeguards to any config ``tools/train.py`` runs.
"""
from mmengine.config import Config
from mmengine.hooks import CheckpointHook

SAFEGUARD_HOOKS = ('CheckFiniteLossHook', 'RandomStateHook')


def add_training_safeguards(cfg: Config) -> None:
    """Make ``cfg`` stop on non-finite losses, save checkpoints atomically
    and store the random state, unless it already does.

    Appends ``CheckFiniteLossHook`` and ``RandomStateHook`` to
    ``custom_hooks`` when absent, and turns a stock ``CheckpointHook`` in
    ``default_hooks.checkpoint`` into ``AtomicCheckpointHook`` (same
    arguments). A checkpoint hook of another type is left as it is.

    Args:
        cfg: The full config, changed in place.
    """
    custom_hooks = list(cfg.get('custom_hooks') or [])
    present = {hook.get('type') for hook in custom_hooks}
    custom_hooks += [
        dict(type=name) for name in SAFEGUARD_HOOKS if name not in present
    ]
    cfg.custom_hooks = custom_hooks
    checkpoint = (cfg.get('default_hooks') or {}).get('checkpoint')
    if checkpoint and checkpoint.get('type') in ('CheckpointHook',
                                                 CheckpointHook):
        checkpoint['type'] = 'AtomicCheckpointHook'
