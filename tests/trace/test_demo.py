"""The longan demo: loaded once (a second load is skipped), labelled, every event captured under its
enterprise's own rules; `remove()` deletes exactly its records and leaves real ones."""
import pytest

from nscl.enterprises.models import Enterprise
from nscl.trace import demo
from nscl.trace.models import ApiKey, CaptureJob, Event, EventId, EventIdentifier, Location, Product, Share

from .conftest import document, event, lgtin

pytestmark = pytest.mark.django_db


def test_load_and_remove_exactly(chain, api):
    real = api("A").post("/epcis/capture", document(event(place=chain["A"]["place"], action="ADD", quantityList=[
        {"epcClass": lgtin(chain["A"]["prefix"], "REAL"), "quantity": 1}])), content_type="application/json")
    assert real.status_code == 202
    out = demo.load()
    # 10 harvest days × (orchard 2, packer 5, cold store 3, exporter 2) + 1 recall
    assert out == {"trace_events": 121, "trace_enterprises": 4}
    assert demo.load() == {"skipped": "already loaded"}
    assert Enterprise.objects.filter(is_demo=True, name__endswith="(minh họa)").count() == 4
    assert Product.objects.filter(is_demo=True).count() == 2 and Location.objects.filter(is_demo=True).count() == 4
    assert CaptureJob.objects.filter(is_demo=True).count() == 4 and Share.objects.filter(is_demo=True).count() == 5
    assert Event.objects.filter(disposition="recalled").count() == 1
    assert demo.remove() == {"trace_events_removed": 121}
    assert Event.objects.count() == EventId.objects.count() == 1
    assert EventIdentifier.objects.filter(identifier=lgtin(chain["A"]["prefix"], "REAL")).exists()
    assert not Product.objects.filter(is_demo=True).exists() and not ApiKey.objects.filter(is_demo=True).exists()
    assert not Enterprise.objects.filter(is_demo=True).exists() and Enterprise.objects.count() == 3
