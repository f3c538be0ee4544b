"""Grading tests share the answer keys they build (see shared_answer_keys in tests/conftest.py)."""
import pytest


@pytest.fixture(autouse=True, scope="session")
def _answer_keys_built_once(shared_answer_keys):
    yield
