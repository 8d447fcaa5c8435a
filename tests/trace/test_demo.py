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


def test_each_demo_enterprise_holds_its_own_verified_prefix():
    """Every GTIN and GLN of the demo is under a verified prefix of its own enterprise, no prefix
    shared (the probe of issue 19 reported two enterprises on 8930004), and the recall has its record."""
    from nscl.trace import prefixes
    from nscl.trace.models import CompanyPrefix, Recall

    demo.load()
    held = list(CompanyPrefix.objects.filter(is_demo=True).values_list("prefix", "enterprise_id", "status"))
    assert len(held) == 4 and len({p for p, _, _ in held}) == 4 and len({e for _, e, _ in held}) == 4
    assert {s for _, _, s in held} == {"verified"}
    for number, owner in [*Product.objects.filter(is_demo=True).values_list("gtin", "owner_id"),
                          *Location.objects.filter(is_demo=True).values_list("gln", "owner_id")]:
        assert prefixes.is_verified_for(owner, number), number
    recall = Recall.objects.get(is_demo=True)
    assert recall.state == "active" and Event.objects.filter(registry__event_id=recall.event_id,
                                                             disposition="recalled").exists()
    assert [lot.lot for lot in recall.lots.all()] == [demo.recalled_lot().rsplit(".", 1)[1]]
    demo.remove()
    assert not CompanyPrefix.objects.exists() and not Recall.objects.exists()
