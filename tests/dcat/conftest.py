"""The published platform of the DCAT tests (tests/helpers/data.py), in two lifetimes.

``platform`` is built for one test, which may change it. ``shared_platform`` is built once per
module on ``shared_stack`` (tests/conftest.py), for modules whose tests only read it through
``shared_app``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.data import build_platform


@pytest.fixture
def platform(with_plugins, tgn_db, clean_index) -> dict[str, Any]:
    """The platform for a test that changes it."""
    return build_platform()


@pytest.fixture(scope="module")
def shared_platform(shared_stack) -> dict[str, Any]:
    """The platform built once for a module of tests that only read it."""
    return build_platform()
