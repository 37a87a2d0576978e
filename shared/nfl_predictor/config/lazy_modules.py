"""Submodules that libraries import eagerly and no Lambda handler uses: loaded on first attribute access.

A handler's init pays for every module its imports pull in. Two libraries load large parts the
handlers never touch: redis-py's ``__init__`` imports its whole asyncio client (``redis.asyncio``;
the project uses the synchronous one), and Powertools' Logger imports its JMESPath utilities
(``jmespath`` with its parser), used only by ``inject_lambda_context(correlation_id_path=...)``,
which the project does not call.

``defer_unused_submodules()`` puts a finder first on ``sys.meta_path`` that hands the import system
those modules' own specs behind the standard library's ``importlib.util.LazyLoader``: the import
binds a module whose code runs on its first attribute access, so anything that does use it still
gets the real module. A finder (not a module placed in ``sys.modules``) because the import system
reads ``__spec__`` of a module it finds there, which would load it at once. Written here because
no maintained library defers a submodule its own parent package imports (scientific-python's
``lazy_loader`` places modules in ``sys.modules``, see above).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

# What no handler uses: redis-py's asyncio client, Powertools' JMESPath utilities (jmespath).
UNUSED_AT_RUNTIME = ("redis.asyncio", "aws_lambda_powertools.utilities.jmespath_utils")


class DeferredModuleFinder(importlib.abc.MetaPathFinder):
    """Finds the named modules as the path finder would, with their loader wrapped in a LazyLoader."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None  # not a plain module on the path: let the import system handle it as usual
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer_unused_submodules(names: Sequence[str] = UNUSED_AT_RUNTIME) -> None:
    """Idempotent (one finder per process); a module already imported stays as it is."""
    finder = next((f for f in sys.meta_path if isinstance(f, DeferredModuleFinder)), None)
    if finder is None:
        finder = DeferredModuleFinder()
        sys.meta_path.insert(0, finder)
    finder.names.update(name for name in names if name not in sys.modules)
