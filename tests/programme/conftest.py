"""Shared records of the export and report tests: four classes in 2022, one in 2023 with an odd
amount, one unconfirmed, one campaign."""
import pytest


@pytest.fixture
def data(make_activity):
    for _ in range(4):
        make_activity("class", 2022)
    make_activity("class", 2023, budget_spent=12_345_678)
    make_activity("class", 2023, confirmed=False)
    make_activity("campaign", 2023)
