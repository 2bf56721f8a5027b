import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="Rewrite the expected outputs and findings of snapshot cases from what the "
        "codemods do now.",
    )


@pytest.fixture
def update_snapshots(request) -> bool:
    return request.config.getoption("--update-snapshots")


@pytest.fixture(autouse=True, scope="session")
def _own_code_cache(tmp_path_factory):
    """Runs in the tests keep their compiled dataclass methods (codemods/code_cache.py)
    in a folder of the session's, not the user's cache, and the processes they start
    inherit it."""
    import os

    folder = tmp_path_factory.mktemp("code-cache")
    previous = os.environ.get("CODEMODS_CACHE_DIR")
    os.environ["CODEMODS_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("CODEMODS_CACHE_DIR", None)
    else:
        os.environ["CODEMODS_CACHE_DIR"] = previous
