import pytest

import unspin


@pytest.fixture(scope="session")
def analyzer():
    """One Analyzer for the session: artifacts load once, as in real use."""
    return unspin.default_analyzer()
