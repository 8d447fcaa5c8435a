"""A registry estimate in the reader's language (issue 20 item 8). Before: its result sentence named
the variable ("Hỗ trợ làm log_labour_productivity tăng ..."), and its title stayed in the language of
the officer who started it ("Tác động của hỗ trợ (sổ doanh nghiệp): ..." on English pages)."""
import pytest

from nscl.accounts.models import Role
from nscl.analysis import demo_support_impact, runner
from nscl.analysis.models import AnalysisJob
from nscl.enterprises.reference import load_reference

pytestmark = pytest.mark.django_db


def test_the_result_says_the_outcome_in_words_and_the_title_in_the_page_language(client, make_user, no_subprocess):
    load_reference()
    demo_support_impact.load(n_firms=60, seed=4)
    client.force_login(make_user(Role.OFFICER))
    client.cookies["django_language"] = "en"  # started by an officer reading English: stored in Vietnamese all the same
    client.post("/analysis/registry/", {"outcome": "log_labour_productivity", "control": "never", "estimator": "reg"})
    job = AnalysisJob.objects.get()
    assert job.title == "Tác động của hỗ trợ (sổ doanh nghiệp): log năng suất lao động (giá trị tăng thêm / lao động), 2016-2025"
    runner.run(job.pk)
    en = client.get(f"/analysis/{job.pk}/").content.decode()
    assert "Impact of support (enterprise register): log labour productivity (value added / employment), 2016-2025" in en
    assert "log_labour_productivity" not in en and "The support raised log labour productivity" in en
    client.cookies["django_language"] = "vi"
    vi = client.get(f"/analysis/{job.pk}/").content.decode()
    assert "log_labour_productivity" not in vi and "Hỗ trợ làm log năng suất lao động (giá trị tăng thêm / lao động)" in vi
    listing = client.get("/analysis/registry/").content.decode()
    assert job.title in listing
