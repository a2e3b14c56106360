"""docker/scheduler.py as a module: it is a script of the image, not part of the package."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.helpers.paths import ROOT

SCRIPT = ROOT / "docker" / "scheduler.py"


def load() -> ModuleType:
    """The scheduler's module, loaded once (under the name tgn_scheduler)."""
    if "tgn_scheduler" in sys.modules:
        return sys.modules["tgn_scheduler"]
    spec = importlib.util.spec_from_file_location("tgn_scheduler", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tgn_scheduler"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
