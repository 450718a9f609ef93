"""Storage of published pages: Django's FileSystemStorage rooted at ORACLE_PUBLISH_DIR, writing
atomically (a reader never sees half a file) and overwriting in place (the name is the address)."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class AtomicPublishStorage(FileSystemStorage):
    """Files under ORACLE_PUBLISH_DIR (read when used, so a changed setting applies at once),
    each save written to a temporary file beside its target and renamed over it."""

    def __init__(self, location=None, **kwargs):
        kwargs.setdefault("allow_overwrite", True)
        kwargs.setdefault("file_permissions_mode", 0o644)
        kwargs.setdefault("directory_permissions_mode", 0o755)
        super().__init__(location=location, **kwargs)
        self._fixed_location = location

    @property
    def base_location(self):
        return self._fixed_location or settings.ORACLE_PUBLISH_DIR

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def get_available_name(self, name, max_length=None):
        return name  # overwrite: a published page's name is its address

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True, mode=self.directory_permissions_mode)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix="-" + path.name)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return name
