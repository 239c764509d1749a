"""mmseg's ``PhotoMetricDistortion`` through 256-entry lookup tables."""
import cv2
import numpy as np
from mmseg.datasets.transforms import PhotoMetricDistortion
from mmseg.registry import TRANSFORMS

IDENTITY = np.arange(256, dtype=np.uint8)


@TRANSFORMS.register_module()
class FastPhotoMetricDistortion(PhotoMetricDistortion):
    """``PhotoMetricDistortion`` with identical output and random draws.

    Every stock step maps each uint8 value on its own (brightness and
    contrast on all channels, saturation on HSV's S, hue on H), so each is
    the stock ``convert`` evaluated once on the 256 values and applied with
    ``cv2.LUT``; brightness and a following contrast fold into one table.
    The HSV round trips stay where the stock transform has them, so the
    output is bit-identical.

    Args:
        brightness_delta: As ``PhotoMetricDistortion``.
        contrast_range: As ``PhotoMetricDistortion``.
        saturation_range: As ``PhotoMetricDistortion``.
        hue_delta: As ``PhotoMetricDistortion``.
    """

    def _brightness_table(self) -> np.ndarray:
        if np.random.randint(2):
            return self.convert(
                IDENTITY,
                beta=np.random.uniform(-self.brightness_delta,
                                       self.brightness_delta))
        return IDENTITY

    def _contrast_table(self) -> np.ndarray:
        if np.random.randint(2):
            return self.convert(
                IDENTITY,
                alpha=np.random.uniform(self.contrast_lower,
                                        self.contrast_upper))
        return IDENTITY

    @staticmethod
    def _apply(img: np.ndarray, table: np.ndarray) -> np.ndarray:
        if table is IDENTITY:
            return img
        return cv2.LUT(np.ascontiguousarray(img), table)

    @staticmethod
    def _apply_to_hsv_channel(img: np.ndarray, channel: int,
                              table: np.ndarray) -> np.ndarray:
        tables = np.stack([IDENTITY] * 3, axis=-1)
        tables[:, channel] = table
        hsv = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_BGR2HSV)
        hsv = cv2.LUT(hsv, tables.reshape(256, 1, 3))
        return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)

    def transform(self, results: dict) -> dict:
        """Distort ``results['img']`` (H, W, 3) BGR uint8."""
        img = results['img']
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(
                f'{type(self).__name__} needs a BGR uint8 (H, W, 3) image, '
                f'got {img.dtype} {img.shape}')
        table = self._brightness_table()
        contrast_first = np.random.randint(2) == 1
        if contrast_first:
            contrast = self._contrast_table()
            if contrast is not IDENTITY:
                table = contrast[table]
        img = self._apply(img, table)
        if np.random.randint(2):
            saturation = self.convert(
                IDENTITY,
                alpha=np.random.uniform(self.saturation_lower,
                                        self.saturation_upper))
            img = self._apply_to_hsv_channel(img, 1, saturation)
        if np.random.randint(2):
            delta = np.random.randint(-self.hue_delta, self.hue_delta)
            hue = ((IDENTITY.astype(int) + delta) % 180).astype(np.uint8)
            img = self._apply_to_hsv_channel(img, 0, hue)
        if not contrast_first:
            img = self._apply(img, self._contrast_table())
        results['img'] = np.ascontiguousarray(img)
        return results
