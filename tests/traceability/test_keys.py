"""GS1 keys: parsing EPC URNs and Digital Links, check digits, conversion both ways, the match key.

Expected values are GS1's own examples (Tag Data Standard / the event-hash test vectors) or
hand-computed: GS1 mod-10 check digit of 061414107346 → weights 3,1,3,… from the right give 7."""

import pytest

from nscl.traceability import keys
from nscl.traceability.keys import InvalidKey, Key


# GS1's pair (TDS and event-hash vector epcisDocWithSingleEvent): indicator digit 1 moves to the
# front of the GTIN, so urn:epc:id:sgtin:0614141.107346.2017 is GTIN 10614141073464, not 00614141073467.
@pytest.mark.parametrize("urn, link", [
    ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("urn:epc:id:sgtin:0614141.007346.2017", "https://id.gs1.org/01/00614141073467/21/2017"),
    ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"),
    ("urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111"),
    ("urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"),
    ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
    ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"),
    ("urn:epc:class:lgtin:4012345.012345.Lot987", "https://id.gs1.org/01/04012345123456/10/Lot987"),
    ("urn:epc:idpat:sgtin:4054739.099914.*", "https://id.gs1.org/01/04054739999148"),
    ("urn:epc:id:sgtin:8930002.100010.C001", "https://id.gs1.org/01/18930002000106/21/C001"),
])
def test_urn_and_digital_link_convert_both_ways(urn, link):
    assert keys.to_digital_link(urn) == link
    assert keys.to_epc_urn(link) == urn  # all these use a 7-digit company prefix
    assert keys.normalise(urn) == keys.normalise(link) == urn


def test_parsed_fields_are_full_keys_with_check_digit():
    key = keys.parse("https://id.gs1.org/01/00614141073467/21/2017")
    assert key == Key("sgtin", gtin="00614141073467", serial="2017")
    assert keys.parse("urn:epc:id:sgln:4012345.00011.987") == Key(
        "sgln", gln="4012345000115", extension="987")
    assert keys.parse("urn:epc:id:sscc:4012345.0000000333").sscc == "040123450000003338"
    assert keys.parse("urn:epc:class:lgtin:8930001.000001.VU2026-07").kind == "lgtin"
    assert keys.parse("urn:epc:idpat:sgtin:4054739.099914.*").kind == "gtin"
    assert keys.parse("https://id.gs1.org/414/4012345000054").kind == "gln"
    assert keys.parse("urn:epc:id:pgln:4000001.00000").kind == "pgln"


def test_digital_link_on_any_host_short_names_and_query_string():
    assert keys.to_epc_urn("https://example.com/gtin/09780345418913/21/765tz?abc=211121") == \
        "urn:epc:id:sgtin:9780345.041891.765tz"
    assert keys.to_epc_urn("http://qr.nhanlong.vn/shop/01/08930001000018/10/VU2026-07") == \
        "urn:epc:class:lgtin:8930001.000001.VU2026-07"
    # a GTIN-13 in a Digital Link is padded to GTIN-14
    assert keys.parse("https://id.gs1.org/01/8930001000018").gtin == "08930001000018"


def test_digital_link_with_lot_and_serial_keeps_both_but_matches_the_serial():
    key = keys.parse("https://id.gs1.org/01/18930002000106/10/PK0715/21/C001")
    assert (key.kind, key.lot, key.serial) == ("sgtin", "PK0715", "C001")
    assert key.digital_link() == "https://id.gs1.org/01/18930002000106/10/PK0715/21/C001"
    assert keys.normalise(key.digital_link()) == "urn:epc:id:sgtin:8930002.100010.C001"


def test_company_prefix_length_parameter_and_default_of_seven():
    link = "https://id.gs1.org/01/08930001000018/10/L1"
    assert keys.to_epc_urn(link) == "urn:epc:class:lgtin:8930001.000001.L1"
    assert keys.to_epc_urn(link, company_prefix_length=9) == "urn:epc:class:lgtin:893000100.0001.L1"
    # a URN keeps its own split, but the match key re-splits at 7 so both forms meet
    urn9 = "urn:epc:class:lgtin:893000100.0001.L1"
    assert keys.parse(urn9).epc_urn == urn9
    assert keys.normalise(urn9) == keys.normalise(link) == "urn:epc:class:lgtin:8930001.000001.L1"
    with pytest.raises(InvalidKey):
        keys.to_epc_urn(link, company_prefix_length=13)


def test_serial_characters_are_escaped_per_syntax():
    urn = "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"
    key = keys.parse(urn)
    assert key.serial == '6789/&%"!?()'
    assert key.epc_urn == urn
    assert keys.parse(key.digital_link()).serial == key.serial


@pytest.mark.parametrize("func, value, expected", [
    (keys.validate_gtin, "00614141073467", "00614141073467"),
    (keys.validate_gtin, "614141073467", "00614141073467"),  # GTIN-12
    (keys.validate_gtin, "8930001000018", "08930001000018"),  # GTIN-13
    (keys.validate_gtin, "96385074", "00000096385074"),  # GTIN-8
    (keys.validate_gln, "4012345000054", "4012345000054"),
    (keys.validate_sscc, "340123451111111111", "340123451111111111"),
])
def test_valid_check_digits(func, value, expected):
    assert func(value) == expected


@pytest.mark.parametrize("func, value, needle", [
    (keys.validate_gtin, "00614141073468", "should be 7"),
    (keys.validate_gtin, "06141410734", "must have 8, 12, 13 or 14 digits"),
    (keys.validate_gln, "4012345000055", "should be 4"),
    (keys.validate_sscc, "340123451111111112", "should be 1"),
    (keys.validate_gtin, "0061414107346A", "only digits"),
])
def test_wrong_check_digits_and_lengths(func, value, needle):
    with pytest.raises(InvalidKey) as err:
        func(value)
    assert needle in str(err.value)
    assert err.value.message_vi and err.value.message_vi != err.value.message


@pytest.mark.parametrize("identifier, needle_vi", [
    ("https://id.gs1.org/01/00614141073468/21/2017", "Sai số kiểm tra của GTIN"),
    ("https://id.gs1.org/00/340123451111111112", "Sai số kiểm tra của SSCC"),
    ("https://id.gs1.org/414/4012345000055", "Sai số kiểm tra của GLN"),
    ("urn:epc:id:sgtin:0614141.10734.2017", "phải là 13 chữ số"),
    ("urn:epc:id:sgtin:0614141.107346", "phải có 3 phần"),
    ("urn:epc:id:sgtin:0614141.107346.123456789012345678901", "Số sê-ri"),
    ("urn:epc:id:sgtin:0614141.107346.ab%zz", "Mã thoát %"),
    ("urn:epc:idpat:sgtin:0614141.107346.12", "mẫu '*'"),
    ("urn:epc:id:grai:4012345.00022.334455", "Không hỗ trợ loại EPC"),
    ("https://id.gs1.org/01/00614141073467/99/x", "Không hỗ trợ thuộc tính"),
    ("not a key", "Không phải EPC URN hay GS1 Digital Link"),
    ("", "trống"),
])
def test_parse_rejects_with_clear_messages(identifier, needle_vi):
    with pytest.raises(InvalidKey) as err:
        keys.parse(identifier)
    assert needle_vi in err.value.message_vi
    assert isinstance(err.value, ValueError)


def test_normalise_leaves_other_uris_and_other_epc_schemes_alone():
    assert keys.normalise(" https://example.org/lot/7 ") == "https://example.org/lot/7"
    assert keys.normalise("urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8") == \
        "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8"
    assert keys.normalise("urn:epc:id:grai:4012345.00022.334455") == "urn:epc:id:grai:4012345.00022.334455"
    with pytest.raises(InvalidKey):
        keys.normalise("https://id.gs1.org/01/00614141073468/21/2017")


def test_is_gs1_identifier():
    assert keys.is_gs1_identifier("urn:epc:id:sgtin:0614141.107346.2017")
    assert keys.is_gs1_identifier("https://brand.example/01/00614141073468")  # shaped like one
    assert not keys.is_gs1_identifier("https://example.org/01/abc")
    assert not keys.is_gs1_identifier("geo:50.9,6.9")
