"""The embedded default's store of rate-limit windows and fraud-guard blocks, without Redis."""

import pickle
import time

from django.core.cache.backends.filebased import FileBasedCache


class WindowFileCache(FileBasedCache):
    """Django's file cache, shared by runserver and `manage.py` on one machine, except that
    it never throws a live entry away.

    Django's own culls a random third of its files once it holds `MAX_ENTRIES` (300 by
    default): for a cache of pages that costs a miss, but here each entry is a rate-limit
    window or a 24-hour fraud block, and a culled one is a limit or a block silently
    gone. When full, this one removes the entries whose time is up, and keeps every
    other, however many; it looks again at most every `SWEEP_SECONDS`."""

    SWEEP_SECONDS = 10

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._swept_at = float("-inf")

    def _cull(self):
        if time.monotonic() - self._swept_at < self.SWEEP_SECONDS:
            return
        filelist = self._list_cache_files()
        if len(filelist) < self._max_entries:
            return
        self._swept_at = time.monotonic()
        for fname in filelist:
            try:
                with open(fname, "rb") as f:
                    self._is_expired(f)  # removes the file when its time is up
            except (OSError, EOFError, pickle.UnpicklingError):
                pass
