"""After a scale-out test fails, its report ends with the tail of every log of the layout (hosts, workers,
beat, nginx, Redis), so a failure in CI can be read without the machine."""

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report = yield
    layout = getattr(item, "funcargs", {}).get("layout")
    if report.failed and layout is not None:
        report.sections.append(("scale-out logs", layout.tails()))
    return report
