from __future__ import annotations

import pytest

from claimtrack.store import open_store


@pytest.fixture(autouse=True)
def isolated_database(tmp_path, monkeypatch):
    """No test ever touches the user's data/claimtrack.db."""
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "claimtrack.db"))
    return tmp_path / "claimtrack.db"


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "store.db")
    yield opened
    opened.close()
