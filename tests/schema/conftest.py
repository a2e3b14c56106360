"""Fixtures of the schema tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import data


@pytest.fixture(scope="module")
def shared_agent(shared_stack) -> dict[str, Any]:
    """An agent (tests/helpers/data.py) created once for a module of tests that only read."""
    return data.agent()
