"""Building mmengine's Runner after the package's config checks."""
from mmengine.config import Config
from mmengine.runner import Runner

from .checkpoint_match import check_load_from
from .config_checks import check_config_paths
from .launch import setup_cpu_distributed


def build_runner(cfg: Config,
                 mode: str,
                 verify_images: bool = False) -> Runner:
    """Check the config's paths, prepare CPU torchrun, build the Runner and
    check that ``load_from`` fits its model.

    Args:
        cfg: Full config (``cfg.launcher`` set by :func:`load_config`).
        mode: ``'train'`` or ``'test'``: which paths must exist.
        verify_images: Also check that every image of those splits reads.
    """
    check_config_paths(cfg, mode=mode, verify_images=verify_images)
    setup_cpu_distributed(cfg, cfg.launcher)
    if 'runner_type' in cfg:
        from mmseg.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    check_load_from(runner.model, cfg, mode)
    return runner
