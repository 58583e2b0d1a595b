"""Communicating with Congress (CWC): an optional delivery adapter, off unless configured.

The House and the Senate each run a CWC interface through which *approved* vendors, sending
from an allow-listed address with the key the chamber issued, deliver constituent messages
straight into an office's correspondence system. Advocacy can be such a vendor: with
``CWC_ENABLED`` and every setting below, ``CwcAdapter`` accepts letters to U.S. senators and
representatives of the chambers listed in ``CWC_CHAMBERS``, and every other office keeps
its email / web form / print channel (``channels.choose``).

The message is the CWC "Advocacy" XML format, version 2.0 (``message_for`` gathers the
values, ``validate`` enforces the field rules, naming the field it refuses, ``to_xml``
writes it with ElementTree, which does the escaping). ``deliver`` runs in the transaction
that confirms a letter: it builds and validates the message (no network), stores the
message's ``DeliveryId`` and office code on the letter (``recipient_details["cwc"]``) and
marks it ``queued``; after the commit a job (RQ on the ``mail`` queue when ``REDIS_URL`` is
set, else a thread) posts it and records ``sent`` or ``failed`` with the reason. A letter
that fails the field rules (most often: no prefix, no street address) is marked ``failed``
with the reason and stays available to its writer as the office's web form and the PDF.

Assumptions, where the published documentation left us unsure (docs/letters.md):
House office codes are ``H`` + state + two-digit district (``HNY22``; at-large and
delegates ``00``); Senate codes are ``S`` + state + the senator's class minus one, two
digits (class I → ``SNY00``, II → ``SNY01``, III → ``SNY02``), the class the directory
keeps for each senator (congress-legislators' ``senate_class``); ``CWC_OFFICE_CODES``
overrides both per bioguide id.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from advocacy.core.db import rowcount, utcnow
from advocacy.core.errors import DomainError
from advocacy.core.inputs import has_control
from advocacy.extensions import db
from advocacy.legislators.models import Chamber
from advocacy.letters.addressing import LEGISLATOR, Recipient, from_letter
from advocacy.letters.models import Channel, Letter, LetterStatus, Writer

log = logging.getLogger(__name__)

VERSION = "2.0"
FEDERAL = (Chamber.US_SENATE.value, Chamber.US_HOUSE.value)
# Prefixes the CWC offices' systems take (a constituent's prefix is required).
PREFIXES = ("Mr.", "Mrs.", "Ms.", "Miss", "Mx.", "Dr.", "Rev.", "Prof.", "Hon.")
# Caps we enforce before sending (CWC refuses longer values; ours are on the safe side).
MAX_SUBJECT = 255
MAX_MESSAGE = 10_000
MAX_STATEMENT = 2_000
MAX_NAME = 50
MAX_ADDRESS_LINE = 100
MAX_CITY = 50
MAX_AGENT = 100
# USPS codes of the states, DC and the territories with a member of Congress.
_USPS = "AK AL AR AS AZ CA CO CT DC DE FL GA GU HI IA ID IL IN KS KY LA MA MD ME MI MN MO MP MS"
STATES = frozenset(f"{_USPS} MT NC ND NE NH NJ NM NV NY OH OK OR PA PR RI SC SD TN TX UT VA VI VT "
                   "WA WI WV WY".split(" "))  # fmt: skip
# Congress.gov's policy areas: the Library of Congress topics CWC takes.
TOPICS = frozenset(
    {
        "Agriculture and Food",
        "Animals",
        "Armed Forces and National Security",
        "Arts, Culture, Religion",
        "Civil Rights and Liberties, Minority Issues",
        "Commerce",
        "Congress",
        "Crime and Law Enforcement",
        "Economics and Public Finance",
        "Education",
        "Emergency Management",
        "Energy",
        "Environmental Protection",
        "Families",
        "Finance and Financial Sector",
        "Foreign Trade and International Finance",
        "Geographic Areas, Entities, and Committees",
        "Government Operations and Politics",
        "Health",
        "Housing and Community Development",
        "Immigration",
        "International Affairs",
        "Labor and Employment",
        "Law",
        "Native Americans",
        "Public Lands and Natural Resources",
        "Science, Technology, Communications",
        "Social Sciences and History",
        "Social Welfare",
        "Sports and Recreation",
        "Taxation",
        "Transportation and Public Works",
        "Water Resources Development",
    }
)
BILL_TYPES = ("hr", "s", "hres", "sres", "hjres", "sjres", "hconres", "sconres")
# "hr3890-119": something written as a bill id (free text such as a bill's name is not one).
_BILL_LIKE = re.compile(r"^([a-z]+)\.?\s*(\d+)(?:-(\d+))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
_ZIP = re.compile(r"^\d{5}(?:-?\d{4})?$")
_OFFICE = re.compile(r"^(?P<chamber>[HS])(?P<state>[A-Z]{2})(?P<number>\d{2})$")
_DELIVERY_ID = re.compile(r"^[A-Za-z0-9]{32}$")
_CAMPAIGN_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
_EASTERN = ZoneInfo("America/New_York")

# The settings accepts() needs; the Senate's URL and key fall back to CWC_API_URL / _KEY.
REQUIRED_SETTINGS = (
    "CWC_API_URL",
    "CWC_API_KEY",
    "CWC_DELIVERY_AGENT",
    "CWC_DELIVERY_AGENT_ACK_EMAIL",
    "CWC_DELIVERY_AGENT_CONTACT_NAME",
    "CWC_DELIVERY_AGENT_CONTACT_EMAIL",
    "CWC_DELIVERY_AGENT_CONTACT_PHONE",
    "CWC_CHAMBERS",
)


class CwcProblem(DomainError):
    """A message CWC would refuse: ``field`` is the CWC element ("Prefix", "Zip" …)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}", field=field)
        self.reason = reason


# --- the message -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bill:
    congress: int
    type: str  # "hr", "s" …
    number: int


@dataclass(frozen=True)
class CwcMessage:
    """Every value of one CWC message, in the format's terms."""

    delivery_id: str
    delivery_date: str  # YYYYMMDD
    delivery_agent: str
    delivery_agent_ack_email: str
    agent_contact_name: str
    agent_contact_email: str
    agent_contact_phone: str
    organization: str
    campaign_id: str
    member_office: str
    prefix: str
    first_name: str
    last_name: str
    address_lines: tuple[str, ...]
    city: str
    state: str
    zip: str
    email: str
    subject: str
    message: str
    topics: tuple[str, ...]
    bills: tuple[Bill, ...] = ()
    pro_or_con: str | None = None
    organization_statement: str = ""
    more_info: str = ""
    email_validated: bool = False
    address_validated: bool = False
    response_requested: bool = False
    newsletter_opt_in: bool = False


def new_delivery_id(letter_id: int) -> str:
    """32 letters and digits, unique per message: the letter id (10 hex digits) and 22
    random hex digits, so ids from two deployments or two attempts never collide."""
    return f"{letter_id:010x}{secrets.token_hex(11)}"[-32:]


def parse_bills(bills: Iterable[str]) -> tuple[Bill, ...]:
    """Congress.gov ids ("hr3890-119") as CWC bills; free text is left out (it stays in the
    letter). A bill id with an unknown type or no Congress is refused."""
    parsed = []
    for raw in bills or ():
        text = raw.strip().lower()
        match = _BILL_LIKE.match(text)
        if not match:
            if re.search(r"\d", text) and len(text.split()) == 1:
                raise CwcProblem("Bills", f"{raw!r} is not a bill id such as hr3890-119.")
            continue
        kind, number, congress = match[1], int(match[2]), match[3]
        if kind not in BILL_TYPES:
            raise CwcProblem(
                "BillTypeAbbreviation",
                f"{raw!r}: the bill type must be one of {', '.join(BILL_TYPES)}.",
            )
        if congress is None:
            raise CwcProblem("BillCongress", f"{raw!r} does not say its Congress (hr3890-119).")
        if not 1 <= int(congress) <= 200 or number < 1:
            raise CwcProblem("BillNumber", f"{raw!r} is not a valid bill number.")
        bill = Bill(int(congress), kind, number)
        if bill not in parsed:
            parsed.append(bill)
    return tuple(parsed)


def _require(field: str, value: str | None, limit: int, *, multiline: bool = False) -> None:
    if not value or not value.strip():
        raise CwcProblem(field, "required, and missing.")
    _text(field, value, limit, multiline=multiline)


def _text(field: str, value: str, limit: int, *, multiline: bool = False) -> None:
    if has_control(value, multiline=True) or (not multiline and re.search(r"[\r\n\t]", value)):
        raise CwcProblem(field, "contains control characters.")
    if len(value) > limit:
        raise CwcProblem(field, f"longer than {limit:,} characters ({len(value):,}).")


def _phone(field: str, value: str) -> None:
    _require(field, value, 30)
    if len(re.sub(r"\D", "", value)) not in (10, 11) or re.search(r"[^\d\s().+-]", value):
        raise CwcProblem(field, f"{value!r} is not a U.S. phone number such as 202-555-0100.")


def _email(field: str, value: str) -> None:
    _require(field, value, 254)
    if not _EMAIL.match(value):
        raise CwcProblem(field, f"{value!r} is not an email address.")


def validate(msg: CwcMessage) -> None:
    """Raise ``CwcProblem`` naming the first field CWC would refuse."""
    if not _DELIVERY_ID.match(msg.delivery_id or ""):
        raise CwcProblem("DeliveryId", "must be 32 letters and digits.")
    try:
        datetime.strptime(msg.delivery_date or "", "%Y%m%d")
        if len(msg.delivery_date) != 8:
            raise ValueError
    except ValueError:
        raise CwcProblem("DeliveryDate", "must be a date written YYYYMMDD.") from None
    _require("DeliveryAgent", msg.delivery_agent, MAX_AGENT)
    _email("DeliveryAgentAckEmailAddress", msg.delivery_agent_ack_email)
    _require("DeliveryAgentContactName", msg.agent_contact_name, MAX_AGENT)
    _email("DeliveryAgentContactEmail", msg.agent_contact_email)
    _phone("DeliveryAgentContactPhone", msg.agent_contact_phone)
    _require("Organization", msg.organization, 200)
    if not _CAMPAIGN_ID.match(msg.campaign_id or ""):
        raise CwcProblem("CampaignId", "must be 1–100 letters, digits, - or _.")
    office = _OFFICE.match(msg.member_office or "")
    if not office or office["state"] not in STATES:
        raise CwcProblem(
            "MemberOffice",
            f"{msg.member_office!r} is not an office code such as HNY22 or SNY02.",
        )
    if office["chamber"] == "S" and office["number"] not in ("00", "01", "02"):
        raise CwcProblem("MemberOffice", f"{msg.member_office!r}: a Senate code ends 00–02.")
    if msg.prefix not in PREFIXES:
        raise CwcProblem(
            "Prefix",
            "CWC requires the constituent's prefix, one of " + ", ".join(PREFIXES) + "; "
            + ("none is known." if not msg.prefix else f"{msg.prefix!r} is not one of them."),
        )  # fmt: skip
    _require("FirstName", msg.first_name, MAX_NAME)
    _require("LastName", msg.last_name, MAX_NAME)
    if not msg.address_lines:
        raise CwcProblem("Address1", "CWC requires the constituent's street address.")
    if len(msg.address_lines) > 3:
        raise CwcProblem("Address3", "at most three street address lines.")
    for number, line in enumerate(msg.address_lines, start=1):
        _require(f"Address{number}", line, MAX_ADDRESS_LINE)
    _require("City", msg.city, MAX_CITY)
    if msg.state not in STATES:
        raise CwcProblem("StateAbbreviation", f"{msg.state!r} is not a U.S. state code.")
    if msg.state != office["state"]:
        raise CwcProblem(
            "StateAbbreviation",
            f"the constituent lives in {msg.state}, the office {msg.member_office} is "
            f"{office['state']}'s: offices take messages from their own constituents only.",
        )
    if not _ZIP.match(msg.zip or ""):
        raise CwcProblem("Zip", f"{msg.zip!r} is not a 5 or 9 digit ZIP code.")
    _email("Email", msg.email)
    _require("Subject", msg.subject, MAX_SUBJECT)
    if not msg.topics:
        raise CwcProblem("LibraryOfCongressTopic", "at least one topic is required.")
    for topic in msg.topics:
        if topic not in TOPICS:
            raise CwcProblem(
                "LibraryOfCongressTopic", f"{topic!r} is not a Library of Congress topic."
            )
    if msg.pro_or_con is not None and msg.pro_or_con not in ("Pro", "Con"):
        raise CwcProblem("ProOrCon", "must be Pro or Con.")
    if msg.pro_or_con is not None and not msg.bills:
        raise CwcProblem("ProOrCon", "a stance needs the bills it is about.")
    _text("OrganizationStatement", msg.organization_statement, MAX_STATEMENT, multiline=True)
    _require("ConstituentMessage", msg.message, MAX_MESSAGE, multiline=True)
    _text("MoreInfo", msg.more_info, 500)


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def to_xml(msg: CwcMessage) -> bytes:
    """The message as CWC 2.0 XML (UTF-8, with its declaration), elements in the format's
    order; optional elements with no value are left out."""
    root = ET.Element("CWC")
    ET.SubElement(root, "CWCVersion").text = VERSION

    def add(parent: ET.Element, tag: str, text: str | None, optional: bool = False) -> None:
        if optional and not text:
            return
        ET.SubElement(parent, tag).text = text or ""

    delivery = ET.SubElement(root, "Delivery")
    add(delivery, "DeliveryId", msg.delivery_id)
    add(delivery, "DeliveryDate", msg.delivery_date)
    add(delivery, "DeliveryAgent", msg.delivery_agent)
    add(delivery, "DeliveryAgentAckEmailAddress", msg.delivery_agent_ack_email)
    contact = ET.SubElement(delivery, "DeliveryAgentContact")
    add(contact, "DeliveryAgentContactName", msg.agent_contact_name)
    add(contact, "DeliveryAgentContactEmail", msg.agent_contact_email)
    add(contact, "DeliveryAgentContactPhone", msg.agent_contact_phone)
    add(delivery, "Organization", msg.organization)
    add(delivery, "CampaignId", msg.campaign_id)

    recipient = ET.SubElement(root, "Recipient")
    add(recipient, "MemberOffice", msg.member_office)
    add(recipient, "IsResponseRequested", _yn(msg.response_requested))
    add(recipient, "NewsletterOptIn", _yn(msg.newsletter_opt_in))

    constituent = ET.SubElement(root, "Constituent")
    add(constituent, "Prefix", msg.prefix)
    add(constituent, "FirstName", msg.first_name)
    add(constituent, "LastName", msg.last_name)
    for number, line in enumerate(msg.address_lines, start=1):
        add(constituent, f"Address{number}", line)
    add(constituent, "City", msg.city)
    add(constituent, "StateAbbreviation", msg.state)
    add(constituent, "Zip", msg.zip)
    add(constituent, "AddressValidation", _yn(msg.address_validated))
    add(constituent, "Email", msg.email)
    add(constituent, "EmailValidation", _yn(msg.email_validated))

    message = ET.SubElement(root, "Message")
    add(message, "Subject", msg.subject)
    topics = ET.SubElement(message, "LibraryOfCongressTopics")
    for topic in msg.topics:
        add(topics, "LibraryOfCongressTopic", topic)
    if msg.bills:
        bills = ET.SubElement(message, "Bills")
        for bill in msg.bills:
            element = ET.SubElement(bills, "Bill")
            add(element, "BillCongress", str(bill.congress))
            add(element, "BillTypeAbbreviation", bill.type)
            add(element, "BillNumber", str(bill.number))
    add(message, "ProOrCon", msg.pro_or_con, optional=True)
    add(message, "OrganizationStatement", msg.organization_statement, optional=True)
    add(message, "ConstituentMessage", msg.message)
    add(message, "MoreInfo", msg.more_info, optional=True)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- office codes ----------------------------------------------------------------------------


def office_code(recipient: Recipient, overrides: Mapping[str, str] | None = None) -> str | None:
    """The CWC office code of a member of Congress, or None when it cannot be known."""
    if recipient.kind != LEGISLATOR or recipient.chamber not in FEDERAL or not recipient.state:
        return None
    if overrides is None:
        overrides = current_app.config.get("CWC_OFFICE_CODES") or {}
    if recipient.external_id and recipient.external_id in overrides:
        return overrides[recipient.external_id]
    state = recipient.state.upper()
    if recipient.chamber == Chamber.US_HOUSE.value:
        district = recipient.district or "0"
        return f"H{state}{int(district):02d}" if district.isdigit() else None
    klass = recipient.details.get("senate_class")
    return f"S{state}{klass - 1:02d}" if klass in (1, 2, 3) else None


# --- settings and the letter → message -------------------------------------------------------


def missing_settings(config: Mapping[str, Any]) -> list[str]:
    return [key for key in REQUIRED_SETTINGS if not config.get(key)]


def endpoint(chamber: str | None, config: Mapping[str, Any]) -> tuple[str, str]:
    """(URL, API key) for a chamber: the Senate's own when set, else CWC_API_URL / _KEY."""
    if chamber == Chamber.US_SENATE.value:
        return (
            config.get("CWC_SENATE_API_URL") or config["CWC_API_URL"],
            config.get("CWC_SENATE_API_KEY") or config["CWC_API_KEY"],
        )
    return config["CWC_API_URL"], config["CWC_API_KEY"]


def pro_or_con(letter: Letter) -> str | None:
    """The constituent's stance on the campaign's bills. A campaign's letters ask offices to
    support its ask (its positions read "supports or cosponsors"), so "Pro"; the office's own
    position never changes the writer's. None when the campaign names no bill."""
    return "Pro" if parse_bills(letter.campaign.bills) else None


def letter_text(letter: Letter) -> str:
    """The message as the office reads it: salutation, body, closing with the name."""
    closing = f"Sincerely,\n{letter.writer.full_name}"
    return "\n\n".join(p for p in (letter.recipient_salutation, letter.body, closing) if p)


def _more_info(letter: Letter) -> str:
    try:
        from advocacy.letters.drafting import campaign_url

        return campaign_url(letter.campaign)
    except Exception:  # no SERVER_NAME in this context: the link is optional
        return ""


def message_for(
    letter: Letter, delivery_id: str, config: Mapping[str, Any], on: date | None = None
) -> CwcMessage:
    """The CWC message carrying ``letter`` (validate it before sending)."""
    writer, campaign = letter.writer, letter.campaign
    address = tuple(line.strip() for line in (writer.address or "").splitlines() if line.strip())
    return CwcMessage(
        delivery_id=delivery_id,
        delivery_date=(on or datetime.now(_EASTERN).date()).strftime("%Y%m%d"),
        delivery_agent=config.get("CWC_DELIVERY_AGENT") or "",
        delivery_agent_ack_email=config.get("CWC_DELIVERY_AGENT_ACK_EMAIL") or "",
        agent_contact_name=config.get("CWC_DELIVERY_AGENT_CONTACT_NAME") or "",
        agent_contact_email=config.get("CWC_DELIVERY_AGENT_CONTACT_EMAIL") or "",
        agent_contact_phone=config.get("CWC_DELIVERY_AGENT_CONTACT_PHONE") or "",
        organization=campaign.organization.name,
        campaign_id=campaign.slug,
        member_office=(letter.recipient_details or {}).get("cwc", {}).get("office") or "",
        # Optional on the writing page; without one the message is refused and the letter
        # is marked failed (its web form and PDF stay available).
        prefix=(writer.prefix or "").strip(),
        first_name=writer.first_name.strip(),
        last_name=writer.last_name.strip(),
        address_lines=address,
        city=(writer.city or "").strip(),
        state=(writer.state or "").strip().upper(),
        zip=writer.zip.strip(),
        email=writer.email,
        # The writer opened the link we sent to this address; the postal address is as typed.
        email_validated=writer.confirmed_at is not None,
        subject=letter.subject,
        message=letter_text(letter),
        topics=tuple(config.get("CWC_TOPICS") or ()),
        bills=parse_bills(campaign.bills),
        pro_or_con=pro_or_con(letter),
        organization_statement=campaign.ask or "",
        more_info=_more_info(letter),
    )


# --- the adapter -----------------------------------------------------------------------------

_PENDING = "advocacy_cwc_pending"


class CwcAdapter:
    """``channels.Adapter`` for Communicating with Congress."""

    channel = Channel.CWC

    def __init__(self, app: Flask):
        self.app = app

    @property
    def config(self) -> Mapping[str, Any]:
        return current_app.config if has_app_context() else self.app.config

    def accepts(self, recipient: Recipient) -> bool:
        config = self.config
        if not config.get("CWC_ENABLED") or missing_settings(config):
            return False
        if recipient.kind != LEGISLATOR or recipient.chamber not in FEDERAL:
            return False
        if recipient.chamber not in (config.get("CWC_CHAMBERS") or ()):
            return False
        return office_code(recipient, config.get("CWC_OFFICE_CODES") or {}) is not None

    def accepts_writer(self, writer: Writer) -> bool:
        """CWC requires the constituent's prefix and postal address."""
        return (writer.prefix or "") in PREFIXES and bool(writer.address and writer.city)

    def deliver(self, letter: Letter) -> None:
        """Build and check the message now (no network); post it after the commit. A
        message CWC would refuse marks the letter failed, with the field and the reason."""
        config = self.config
        if letter.id is None:
            db.session.flush()
        details = dict(letter.recipient_details or {})
        office = office_code(from_letter(letter), config.get("CWC_OFFICE_CODES") or {})
        details["cwc"] = {"delivery_id": new_delivery_id(letter.id), "office": office}
        letter.recipient_details = details
        letter.channel = Channel.CWC
        try:
            validate(message_for(letter, details["cwc"]["delivery_id"], config))
        except CwcProblem as problem:
            letter.status = LetterStatus.FAILED
            letter.delivery_error = refusal(problem)
            return
        letter.status = LetterStatus.QUEUED
        letter.delivery_error = None
        db.session.info.setdefault(_PENDING, []).append(letter.id)


def refusal(problem: CwcProblem) -> str:
    return (
        f"Not sent through Communicating with Congress: {problem.message} The letter can "
        "still be sent through the office's web form or printed."
    )[:500]


# --- after the commit: the job ---------------------------------------------------------------


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        dispatch(current_app._get_current_object(), ids)  # type: ignore[attr-defined]  # a LocalProxy


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def listen() -> None:
    if not event.contains(FlaskSession, "after_commit", _after_commit):
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_rollback", _after_rollback)


def dispatch(app: Flask, ids: list[int]) -> None:
    """Hand committed letter ids to RQ (``REDIS_URL``), a thread, or (``MAIL_SYNC``, tests)
    straight to ``send_letters``."""
    if app.config.get("MAIL_SYNC"):
        send_letters(ids)
        return
    if app.config.get("REDIS_URL"):
        try:
            from advocacy.core.queue import get_queue

            with app.app_context():
                get_queue("mail").enqueue("advocacy.letters.cwc.send_letters_job", ids)
            return
        except Exception:  # Redis down: send from here rather than leave them queued
            log.exception("Could not queue CWC letters on Redis; sending in-process")

    def run() -> None:
        with app.app_context():
            try:
                send_letters(ids)
            except Exception:
                log.exception("CWC delivery failed for letters %s", ids)

    threading.Thread(target=run, name="advocacy-cwc", daemon=True).start()


_job_app: Flask | None = None


def send_letters_job(ids: list[int]) -> None:
    """The RQ job (``flask mail worker`` runs the ``mail`` queue with an app context)."""
    global _job_app
    if has_app_context():
        send_letters(ids)
        return
    if _job_app is None:
        from advocacy import create_app

        _job_app = create_app()
    with _job_app.app_context():
        send_letters(ids)


def post(url: str, body: bytes, timeout: float) -> tuple[int, str]:
    """POST the XML; (HTTP status, the answer's text). Network errors raise ``OSError``."""
    request = urllib.request.Request(  # noqa: S310 - an https URL from the configuration
        url, data=body, method="POST", headers={"Content-Type": "application/xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(4000).decode("utf-8", "replace")


def _with_key(url: str, key: str) -> str:
    """CWC takes the key as the ``apikey`` query parameter."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), ("apikey", key)])
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _answer_text(text: str) -> str:
    """What CWC said, as one line: its errors come as XML, whose tags are dropped (not
    parsed: an answer is not trusted enough for an XML parser)."""
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())[:300]


def send_letters(ids: Iterable[int]) -> dict[int, LetterStatus]:
    """Post each queued CWC letter and record the outcome: ``sent`` (CWC answered 2xx) or
    ``failed`` with what CWC or the network said. A letter no longer queued is left alone."""
    config = current_app.config
    outcomes: dict[int, LetterStatus] = {}
    with Session(db.engine) as session:
        for letter_id in ids:
            letter = session.get(Letter, letter_id)
            if letter is None or letter.status is not LetterStatus.QUEUED:
                continue
            outcome, error = _send_one(letter, config)
            values: dict[str, Any] = {"status": outcome, "delivery_error": error}
            if outcome is LetterStatus.SENT:
                values["sent_at"] = utcnow()
            won = session.execute(
                update(Letter)
                .where(Letter.id == letter_id, Letter.status == LetterStatus.QUEUED)
                .values(**values)
            )
            session.commit()
            if rowcount(won):
                outcomes[letter_id] = outcome
    return outcomes


def _send_one(letter: Letter, config: Mapping[str, Any]) -> tuple[LetterStatus, str | None]:
    cwc = (letter.recipient_details or {}).get("cwc") or {}
    try:
        msg = message_for(letter, cwc.get("delivery_id") or "", config)
        validate(msg)
    except CwcProblem as problem:
        return LetterStatus.FAILED, refusal(problem)
    url, key = endpoint(letter.recipient_chamber, config)
    timeout = float(config.get("CWC_TIMEOUT") or 30)
    try:
        status, text = post(_with_key(url, key), to_xml(msg), timeout)
    except TimeoutError:  # socket.timeout is TimeoutError
        return LetterStatus.FAILED, (
            f"No answer from CWC within {timeout:g} s: the message may have arrived "
            f"(DeliveryId {msg.delivery_id}); not retried automatically."
        )
    except (OSError, ValueError) as exc:  # URLError is an OSError; the key never shows
        reason = getattr(exc, "reason", exc)
        return LetterStatus.FAILED, f"Could not reach CWC: {reason}"[:500]
    if 200 <= status < 300:
        return LetterStatus.SENT, None
    return LetterStatus.FAILED, f"CWC refused the message (HTTP {status}): {_answer_text(text)}"[
        :500
    ]


# --- registration ----------------------------------------------------------------------------


def register(app: Flask) -> bool:
    """Add the adapter when ``CWC_ENABLED`` and every setting is there; else nothing."""
    if not app.config.get("CWC_ENABLED"):
        return False
    missing = missing_settings(app.config)
    if missing:
        log.warning("CWC_ENABLED but %s not set: Communicating with Congress stays off", missing)
        return False
    from advocacy.letters import channels

    channels.register(app, CwcAdapter(app))
    listen()
    return True


__all__ = [
    "Bill",
    "CwcAdapter",
    "CwcMessage",
    "CwcProblem",
    "message_for",
    "office_code",
    "parse_bills",
    "register",
    "send_letters",
    "to_xml",
    "validate",
]
