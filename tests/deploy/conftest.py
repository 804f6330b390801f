"""The deployment test runs only when asked for (``pytest -m deploy``, its own step in
``.ci/run``); in every other run, ``make test`` included, it is skipped with a reason."""

import pytest


def pytest_collection_modifyitems(config, items):
    markexpr = config.getoption("markexpr") or ""
    if "deploy" in markexpr and "not deploy" not in markexpr:
        return
    skip = pytest.mark.skip(reason="deployment test: run it with  pytest -m deploy  "
                                   "(its own step in .ci/run)")
    for item in items:
        if item.get_closest_marker("deploy"):
            item.add_marker(skip)
