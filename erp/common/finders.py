"""Static files finder for single npm files that have no clean ``dist`` folder to map.

``settings.STATICFILES_NPM_FILES`` maps a static path to a file below ``node_modules``.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class NpmFileFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        root = Path(settings.BASE_DIR) / "node_modules"
        self.files = {
            static_path: root / npm_path
            for static_path, npm_path in getattr(settings, "STATICFILES_NPM_FILES", {}).items()
        }

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        if source is None or not source.exists():
            return [] if find_all or kwargs.get("all") else None
        return [str(source)] if find_all or kwargs.get("all") else str(source)

    def list(self, ignore_patterns):
        for static_path, source in self.files.items():
            if source.exists():
                prefix = str(Path(static_path).parent)
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = prefix
                yield source.name, storage
