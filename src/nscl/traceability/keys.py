"""GS1 keys (GTIN, GLN, SSCC, SGTIN, LGTIN, SGLN, party GLN): parse, check, and convert between
EPC URNs (Tag Data Standard) and GS1 Digital Link URIs.

An EPC URN splits a GS1 key at the company prefix (``urn:epc:id:sgtin:0614141.107346.2017``); a
Digital Link carries the whole key (``https://id.gs1.org/01/00614141073467/21/2017``). GS1 gives no
way to derive the company prefix length from the number alone (it depends on the GS1 Member
Organisation's allocation), so Digital Link → EPC URN takes it as a parameter and defaults to
``DEFAULT_COMPANY_PREFIX_LENGTH`` (7) when it is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_COMPANY_PREFIX_LENGTH = 7
DIGITAL_LINK_BASE = "https://id.gs1.org"


class InvalidKey(ValueError):
    """An identifier that is not a valid GS1 key; ``message_vi`` is the Vietnamese message."""

    def __init__(self, message: str, message_vi: str | None = None, identifier: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi or message
        self.identifier = identifier


@dataclass(frozen=True)
class Key:
    """One parsed GS1 key. ``kind`` is 'sgtin', 'lgtin', 'sscc', 'sgln', 'gtin', 'gln', 'pgln' or
    'class' (a GTIN class pattern, urn:epc:idpat:sgtin:...:*)."""

    kind: str
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    gln: str | None = None
    extension: str | None = None
    sscc: str | None = None
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH

    @property
    def epc_urn(self) -> str:
        """The EPC URN (urn:epc:id:..., urn:epc:class:lgtin:..., urn:epc:idpat:sgtin:...:*)."""
        raise NotImplementedError

    def digital_link(self, base: str = DIGITAL_LINK_BASE) -> str:
        """The GS1 Digital Link URI on ``base`` (no trailing slash)."""
        raise NotImplementedError


def parse(identifier: str, company_prefix_length: int | None = None) -> Key:
    """Parse an EPC URN or a GS1 Digital Link URI (any host); raise InvalidKey on bad check digits,
    lengths or unknown forms. ``company_prefix_length`` is only used for Digital Links (default 7)."""
    raise NotImplementedError


def validate_gtin(s: str) -> str:
    """Return the GTIN as 14 digits (GTIN-8/12/13/14 accepted) or raise InvalidKey."""
    raise NotImplementedError


def validate_gln(s: str) -> str:
    """Return the 13-digit GLN or raise InvalidKey."""
    raise NotImplementedError


def validate_sscc(s: str) -> str:
    """Return the 18-digit SSCC or raise InvalidKey."""
    raise NotImplementedError


def to_epc_urn(uri: str, company_prefix_length: int | None = None) -> str:
    """The EPC URN for an EPC URN or GS1 Digital Link URI."""
    raise NotImplementedError


def to_digital_link(urn: str, base: str = DIGITAL_LINK_BASE) -> str:
    """The GS1 Digital Link URI for an EPC URN or Digital Link."""
    raise NotImplementedError


def normalise(identifier: str, company_prefix_length: int | None = None) -> str:
    """The canonical storage/match key: the EPC URN for EPC URNs and GS1 Digital Links, any other URI
    unchanged (EPCIS allows any URI as an EPC). Raises InvalidKey for a malformed GS1 identifier."""
    raise NotImplementedError
