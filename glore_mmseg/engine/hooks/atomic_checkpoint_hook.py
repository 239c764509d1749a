"""Checkpoints that are either complete on disk or not there at all."""
import os
import os.path as osp
from contextlib import contextmanager
from typing import Iterator, List

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

PARTIAL_SUFFIX = '.tmp'


def fsync_file(path: str) -> None:
    """Flush ``path``'s data to the disk (survives a crash of the machine)."""
    with open(path, 'rb') as f:
        os.fsync(f.fileno())


def write_text_atomically(path: str, text: str) -> None:
    """Replace ``path`` by a file holding ``text``, never leaving it partial.

    Args:
        path: The file to (re)write.
        text: Its new content.
    """
    partial = path + PARTIAL_SUFFIX
    with open(partial, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` with crash-safe local saving.

    mmengine writes ``iter_N.pth`` in place and, with ``max_keep_ckpts``,
    deletes the oldest kept checkpoint before the new one is written, so a
    kill during a save can leave no complete checkpoint. This hook writes
    ``iter_N.pth.tmp``, flushes it to disk and renames it to ``iter_N.pth``
    (a rename is atomic), then rewrites ``last_checkpoint`` the same way,
    and only then deletes checkpoints beyond ``max_keep_ckpts``. ``save_best``
    checkpoints are written the same way, and the previous best is deleted
    only once the new one is complete. Every argument is
    ``CheckpointHook``'s. Remote backends (``backend_args``,
    ``file_client_args``) are saved as mmengine saves them. Partial files
    a killed run left behind are deleted when training starts again.
    """

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if (is_main_process() and isinstance(self.file_backend, LocalBackend)
                and osp.isdir(self.out_dir)):
            for name in os.listdir(self.out_dir):
                if name.endswith('.pth' + PARTIAL_SUFFIX):
                    os.remove(osp.join(self.out_dir, name))

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        if not isinstance(self.file_backend, LocalBackend):
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        outdated = self._update_kept_steps(runner, step)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename + PARTIAL_SUFFIX,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        partial = self.last_ckpt + PARTIAL_SUFFIX
        fsync_file(partial)
        os.replace(partial, self.last_ckpt)
        write_text_atomically(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        for old_step in outdated:
            old = osp.join(self.out_dir, self.filename_tmpl.format(old_step))
            if osp.isfile(old):
                os.remove(old)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        if not self.save_best or not isinstance(self.file_backend,
                                                LocalBackend):
            super()._save_best_checkpoint(runner, metrics)
            return
        # mmengine's logic, with its save made atomic and its removal of
        # the previous best deferred until the new one is on disk.
        with _atomic_saves(runner), _deferred_removals(
                self.file_backend) as removed:
            super()._save_best_checkpoint(runner, metrics)
        kept = {getattr(self, 'best_ckpt_path', None),
                *getattr(self, 'best_ckpt_path_dict', {}).values()}
        for path in removed:
            if path not in kept and osp.isfile(path):
                os.remove(path)

    def _update_kept_steps(self, runner, step: int) -> List[int]:
        """Record ``step`` as kept; return the steps it pushes out.

        The message hub is updated before saving, so the checkpoint itself
        lists which checkpoints are kept (as mmengine's hook does).
        """
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return []
        outdated = []
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return outdated


@contextmanager
def _atomic_saves(runner) -> Iterator[None]:
    """Within the block, ``runner.save_checkpoint`` writes to a partial name
    and renames the file when it is complete (names already partial, from
    :meth:`AtomicCheckpointHook._save_checkpoint_with_step`, pass)."""
    save = runner.save_checkpoint

    def save_atomically(out_dir, filename, *args, **kwargs):
        if filename.endswith(PARTIAL_SUFFIX):
            return save(out_dir, filename, *args, **kwargs)
        save(out_dir, filename + PARTIAL_SUFFIX, *args, **kwargs)
        if is_main_process():
            path = osp.join(out_dir, filename)
            fsync_file(path + PARTIAL_SUFFIX)
            os.replace(path + PARTIAL_SUFFIX, path)

    with _replaced(runner, 'save_checkpoint', save_atomically):
        yield


@contextmanager
def _deferred_removals(backend: LocalBackend) -> Iterator[List[str]]:
    """Within the block, ``backend.remove`` records the path instead."""
    removed: List[str] = []
    with _replaced(backend, 'remove', removed.append):
        yield removed


@contextmanager
def _replaced(owner: object, name: str, value: object) -> Iterator[None]:
    """Set the attribute ``name`` of ``owner`` for the block, then restore
    it (an instance attribute shadowing a method is deleted again)."""
    own = vars(owner)
    had, saved = name in own, own.get(name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if had:
            setattr(owner, name, saved)
        else:
            delattr(owner, name)
