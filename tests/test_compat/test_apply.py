"""Which compatibility fixes glore_mmseg applies, and that it says so."""
import mmengine

from glore_mmseg import compat
from glore_mmseg.compat import checkpoint_loading, mmcv_ops


def test_each_fix_is_gated_on_the_installed_version(monkeypatch):
    assert 'mmengine 0.10.7' in checkpoint_loading.needed()
    monkeypatch.setattr(mmengine, '__version__', '0.10.8')
    assert checkpoint_loading.needed() is None
    monkeypatch.setattr(mmcv_ops, 'has_compiled_mmcv_ops', lambda: True)
    assert mmcv_ops.needed() is None


def test_active_fixes_are_logged_once(monkeypatch):
    logged = []
    monkeypatch.setattr(compat, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    monkeypatch.setattr(compat, '_applied', False)
    monkeypatch.setattr(compat, '_active', {})
    compat.apply()
    compat.apply()
    assert len(logged) == 1
    active = compat.active_fixes()
    # This environment: mmcv-lite, mmengine 0.10.7, NumPy without in1d.
    assert set(active) == {fix.NAME for fix in compat.FIXES
                           if fix.needed() is not None}
    assert all(f'{name} ({reason})' in logged[0]
               for name, reason in active.items())
