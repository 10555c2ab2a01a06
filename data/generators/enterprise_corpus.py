"""Write the Northbeam enterprise RAG corpus (Markdown, HTML, PDF) and its labelled eval set.

Everything is generated from the small tables below with a fixed seed: product manuals,
firmware release notes (HTML), regional and global policies, support tickets, FAQ pages (HTML),
three PDFs with tables, a chart, a diagram and a "scanned" page, a few exact and near
duplicates, and 170+ questions whose relevant sections and evidence are known by construction.
Northbeam and every fact here are fictional.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import random
import re
from pathlib import Path
from typing import Any

SEED = 20250505
CORPUS_UPDATED = "2025-03-01"

# name, code, kind, power, protocol, range_m, temp range, warranty years, reset seconds,
# reset button, max devices or capacity note, first error (code, meaning, fix), second error
PRODUCTS: list[dict[str, Any]] = [
    dict(name="Beacon Hub", code="NB-H200", kind="hub", power="mains adapter, 12 V", proto="Zigbee 3.0 and Wi-Fi 6", range_m=40, temp=(0, 40), warranty=3, reset=15, button="the pinhole on the back", capacity="pairs up to 120 devices", errors=[("E12", "the hub lost its Wi-Fi connection", "move the hub within 10 metres of the router and restart it"), ("E31", "the Zigbee radio failed its self-test", "unplug the hub for 60 seconds; if E31 returns, request a replacement")]),  # noqa: E501
    dict(name="Beacon Hub Mini", code="NB-H050", kind="hub", power="USB-C, 5 V", proto="Zigbee 3.0", range_m=25, temp=(0, 35), warranty=2, reset=10, button="the top button", capacity="pairs up to 40 devices", errors=[("E14", "the USB-C supply gives too little power", "use the original 2 A adapter instead of a laptop port"), ("E33", "the device table is full", "remove unused devices in the app; the Mini holds 40")]),  # noqa: E501
    dict(name="Beacon Cam Indoor", code="NB-C110", kind="camera", power="USB-C, 5 V", proto="Wi-Fi 5", range_m=30, temp=(5, 35), warranty=2, reset=8, button="the button under the stand", capacity="records 1080p video with 12 m night vision", errors=[("E41", "the microSD card is not formatted", "format the card in the app under Storage"), ("E47", "the lens privacy shutter is stuck", "slide the shutter fully open and restart the camera")]),  # noqa: E501
    dict(name="Beacon Cam Outdoor", code="NB-C310", kind="camera", power="rechargeable battery, 6 months per charge", proto="Wi-Fi 5", range_m=50, temp=(-20, 50), warranty=2, reset=12, button="the sync button behind the battery door", capacity="records 2K video with 20 m night vision", errors=[("E43", "the battery is too cold to charge", "bring the camera indoors and charge it above 0 °C"), ("E48", "motion zones overlap the street", "redraw the motion zones away from public areas")]),  # noqa: E501
    dict(name="Lumen Bulb", code="NB-L060", kind="light", power="E27 socket, 9 W", proto="Zigbee 3.0", range_m=20, temp=(-10, 40), warranty=3, reset=0, button="the wall switch, toggled off and on five times", capacity="emits 806 lumens from 2200 K to 6500 K", errors=[("E51", "the bulb is on a dimmer circuit", "replace the wall dimmer with a normal switch"), ("E52", "the bulb overheated in a closed fitting", "use an open lamp fitting with air flow")]),  # noqa: E501
    dict(name="Lumen Strip", code="NB-L200", kind="light", power="24 V adapter, 36 W", proto="Zigbee 3.0", range_m=20, temp=(0, 40), warranty=2, reset=6, button="the controller button", capacity="can be cut every 10 cm, up to 10 m long", errors=[("E55", "the strip draws more than the adapter supplies", "keep the strip under 10 m or add a second adapter"), ("E57", "a cut segment lost its connector contact", "reseat the clip connector with the arrows aligned")]),  # noqa: E501
    dict(name="Thermo Sense", code="NB-T020", kind="sensor", power="two AAA batteries, 18 months", proto="Zigbee 3.0", range_m=30, temp=(-10, 50), warranty=2, reset=5, button="the button next to the batteries", capacity="measures temperature to 0.2 °C and humidity to 2%", errors=[("E61", "the humidity sensor is saturated", "let the sensor dry for 2 hours at room temperature"), ("E62", "the batteries are below 2.2 V", "replace both AAA batteries at the same time")]),  # noqa: E501
    dict(name="Door Sense", code="NB-D010", kind="sensor", power="one CR2032 coin cell, 2 years", proto="Zigbee 3.0", range_m=30, temp=(-10, 45), warranty=2, reset=5, button="the tamper switch", capacity="detects a 15 mm gap between the magnet and sensor", errors=[("E63", "the magnet is too far from the sensor", "mount the magnet within 15 mm of the sensor"), ("E64", "the tamper switch is open", "close the cover until it clicks")]),  # noqa: E501
    dict(name="Leak Sense", code="NB-W015", kind="sensor", power="two AA batteries, 3 years", proto="Zigbee 3.0", range_m=30, temp=(0, 50), warranty=3, reset=5, button="the round button on top", capacity="sounds an 85 dB alarm when water touches the probes", errors=[("E66", "the probes are corroded", "clean the probes with a dry cloth and vinegar"), ("E67", "the sensor was flipped upside down", "place it flat with the probes facing the floor")]),  # noqa: E501
    dict(name="Smoke Sense", code="NB-S030", kind="sensor", power="sealed lithium battery, 10 years", proto="Zigbee 3.0", range_m=30, temp=(4, 38), warranty=10, reset=20, button="the test button", capacity="certified to EN 14604 with a 90 dB alarm", errors=[("E71", "the smoke chamber is dusty", "vacuum the vents gently and press test"), ("E72", "the sealed battery reached end of life", "replace the whole alarm; the battery cannot be changed")]),  # noqa: E501
    dict(name="Chime Doorbell", code="NB-B100", kind="doorbell", power="16 V transformer or rechargeable battery", proto="Wi-Fi 5", range_m=35, temp=(-20, 50), warranty=2, reset=10, button="the button under the faceplate", capacity="streams 1536p video with two-way audio", errors=[("E81", "the transformer supplies less than 16 V", "replace the transformer with a 16 V, 30 VA model"), ("E84", "the chime kit is wired in the wrong order", "swap the FRONT and TRANS wires on the chime kit")]),  # noqa: E501
    dict(name="Plug Pro", code="NB-P016", kind="plug", power="mains, up to 16 A", proto="Zigbee 3.0", range_m=40, temp=(0, 35), warranty=3, reset=10, button="the power button", capacity="switches up to 3,680 W and reports energy use", errors=[("E91", "the load exceeded 16 A", "unplug the appliance and press the button to reset the fuse"), ("E93", "the plug is too hot", "do not use the plug in a multi-socket strip")]),  # noqa: E501
]  # fmt: skip

REGIONS = {
    "EU": dict(label="European Union", returns=30, claim=14, privacy=30, ship=(3, 5), currency="EUR", free_ship=49),  # noqa: E501
    "US": dict(label="United States", returns=30, claim=10, privacy=45, ship=(4, 7), currency="USD", free_ship=59),  # noqa: E501
    "UK": dict(label="United Kingdom", returns=28, claim=14, privacy=30, ship=(2, 4), currency="GBP", free_ship=45),  # noqa: E501
    "CA": dict(label="Canada", returns=21, claim=12, privacy=30, ship=(5, 8), currency="CAD", free_ship=79),  # noqa: E501
}  # fmt: skip

GLOBAL_POLICIES: list[tuple[str, str, list[tuple[str, str]], list[tuple[str, str, str, str]]]] = [
    ("security-disclosure", "Security vulnerability disclosure", [
        ("Reporting a vulnerability", "Researchers report vulnerabilities to security@northbeam.example. We acknowledge every report within 3 business days and do not take legal action against good-faith research."),  # noqa: E501
        ("Bounty", "Valid reports earn a bounty from EUR 250 for low severity up to EUR 10,000 for remote code execution on the Beacon Hub."),  # noqa: E501
    ], [
        ("How quickly does Northbeam confirm it received a security bug report?", "Within 3 business days.", "Reporting a vulnerability", "acknowledge every report within 3 business days"),  # noqa: E501
        ("What is the largest bug bounty Northbeam pays?", "EUR 10,000, for remote code execution on the Beacon Hub.", "Bounty", "up to EUR 10,000 for remote code execution"),  # noqa: E501
    ]),
    ("camera-footage-retention", "Camera footage retention", [
        ("Cloud recordings", "Northbeam Plus keeps cloud recordings from Beacon cameras for 30 days on the Standard plan and 60 days on the Pro plan, then deletes them automatically."),  # noqa: E501
        ("Law enforcement requests", "We disclose footage to police only with a valid court order, and we notify the customer unless the order forbids it."),  # noqa: E501
    ], [
        ("How long do Pro plan subscribers keep their camera clips in the cloud?", "60 days.", "Cloud recordings", "60 days on the Pro plan"),  # noqa: E501
        ("Will Northbeam hand my camera videos to the police without a court order?", "No; only with a valid court order, and the customer is notified unless the order forbids it.", "Law enforcement requests", "only with a valid court order"),  # noqa: E501
    ]),
    ("subscription-cancellation", "Northbeam Plus cancellation", [
        ("Cancelling", "Cancel Northbeam Plus at any time in the app under Account, Subscription. Monthly plans stop at the end of the current month."),  # noqa: E501
        ("Annual plans", "Annual plans cancelled within 14 days of purchase or renewal are refunded in full; after that, the plan runs to the end of the paid year."),  # noqa: E501
    ], [
        ("I renewed my yearly subscription last week; can I still get all my money back?", "Yes. Annual plans cancelled within 14 days of purchase or renewal are refunded in full.", "Annual plans", "within 14 days of purchase or renewal are refunded in full"),  # noqa: E501
        ("Where in the app do I stop my Plus subscription?", "Under Account, Subscription.", "Cancelling", "under Account, Subscription"),  # noqa: E501
    ]),
    ("price-match", "Price match promise", [
        ("What we match", "If an authorised retailer sells the same Northbeam product for less within 14 days of your purchase, we refund the difference."),  # noqa: E501
        ("Exclusions", "Marketplace sellers, refurbished units, bundles and flash sales shorter than 24 hours are excluded."),  # noqa: E501
    ], [
        ("Do you refund the difference if a shop lowers the price two weeks after I bought?", "Yes, if an authorised retailer sells it for less within 14 days of your purchase.", "What we match", "within 14 days of your purchase"),  # noqa: E501
        ("Are refurbished units covered by the price match?", "No. Refurbished units are excluded, as are marketplace sellers, bundles and flash sales shorter than 24 hours.", "Exclusions", "refurbished units, bundles and flash sales"),  # noqa: E501
    ]),
    ("volume-discounts", "Business volume discounts", [
        ("Tiers", "Business customers get 8% off orders of 25 to 99 devices, 15% off 100 to 499 devices and a quoted price from 500 devices."),  # noqa: E501
        ("Eligibility", "Discounts need a verified business account with a VAT or tax number and apply to hardware only, not to Northbeam Plus."),  # noqa: E501
    ], [
        ("What discount does a business get when ordering 150 devices?", "15%.", "Tiers", "15% off 100 to 499 devices"),  # noqa: E501
        ("Do volume discounts apply to the Plus subscription?", "No, they apply to hardware only.", "Eligibility", "apply to hardware only"),  # noqa: E501
    ]),
    ("recycling-programme", "Device recycling programme", [
        ("Returning old devices", "Send any Northbeam device back with a free prepaid label from the website; we recycle it through a certified e-waste partner."),  # noqa: E501
        ("Trade-in credit", "Each returned hub earns a EUR 20 voucher and each camera a EUR 10 voucher, valid for 6 months."),  # noqa: E501
    ], [
        ("How much credit do I get for sending back an old hub?", "A EUR 20 voucher, valid for 6 months.", "Trade-in credit", "EUR 20 voucher"),  # noqa: E501
        ("Who pays postage when I recycle a Northbeam device?", "Northbeam: there is a free prepaid label on the website.", "Returning old devices", "free prepaid label"),  # noqa: E501
    ]),
    ("accessibility", "Accessibility commitment", [
        ("App accessibility", "The Northbeam app meets WCAG 2.2 level AA and supports screen readers, large text and voice control."),  # noqa: E501
        ("Accessible support", "Customers who are deaf or hard of hearing can reach support by video relay or text chat 24 hours a day."),  # noqa: E501
    ], [
        ("Which accessibility standard does the app meet?", "WCAG 2.2 level AA.", "App accessibility", "WCAG 2.2 level AA"),  # noqa: E501
        ("How can a deaf customer contact support?", "By video relay or text chat, 24 hours a day.", "Accessible support", "video relay or text chat"),  # noqa: E501
    ]),
    ("acceptable-use", "Acceptable use of Northbeam cameras", [
        ("Recording others", "Cameras must not record a neighbour's property or public space beyond what is needed to cover your own entrance; use privacy masks to hide them."),  # noqa: E501
        ("Audio recording", "Audio recording is off by default and some countries require a visible notice before you switch it on."),  # noqa: E501
    ], [
        ("Is audio recording enabled on cameras out of the box?", "No, audio recording is off by default.", "Audio recording", "off by default"),  # noqa: E501
        ("How should I avoid filming my neighbour's garden?", "Use privacy masks so the camera covers only your own entrance.", "Recording others", "use privacy masks"),  # noqa: E501
    ]),
]  # fmt: skip

FAQS: list[tuple[str, str, str, str, str]] = [
    ("faq-app-offline", "Can I use the app when the internet is down?", "Automations keep running on the Beacon Hub without internet, but remote access and cloud recordings pause until the connection returns.", "Do my automations still work during an internet outage?", "Automations keep running on the Beacon Hub"),  # noqa: E501
    ("faq-family-sharing", "How many people can share a home?", "A home can be shared with up to 10 members; members cannot delete the home or change the subscription.", "How many family members can I invite to my home?", "up to 10 members"),  # noqa: E501
    ("faq-voice-assistants", "Which voice assistants work with Northbeam?", "Northbeam works with Alexa, Google Assistant and Siri Shortcuts; Matter support arrives with hub firmware 4.0.", "When will Matter be supported?", "Matter support arrives with hub firmware 4.0"),  # noqa: E501
    ("faq-two-factor", "How do I turn on two-factor authentication?", "Turn on two-factor authentication in Account, Security; we support authenticator apps and hardware keys, not SMS.", "Can I get my login codes by SMS?", "not SMS"),  # noqa: E501
    ("faq-data-export", "Can I download my data?", "Request an export in Account, Privacy; a ZIP file with your devices, automations and event history arrives by email within 48 hours.", "How long does a data export take to arrive?", "within 48 hours"),  # noqa: E501
    ("faq-moving-house", "What do I do when I move house?", "Use Move home in the app: it keeps your devices and automations but clears the address and geofences.", "What happens to my geofences when I move house?", "clears the address and geofences"),  # noqa: E501
    ("faq-guest-access", "Can guests control devices?", "Guest passes give temporary access to chosen devices for up to 7 days and expire automatically.", "How long can a guest pass last?", "up to 7 days"),  # noqa: E501
    ("faq-energy-reports", "Where are energy reports?", "Plug Pro energy reports are in Insights; they show daily and monthly kWh and estimated cost from your tariff.", "Where do I see how many kWh my plugs used?", "they show daily and monthly kWh"),  # noqa: E501
    ("faq-student-discount", "Is there a student discount?", "Students get 20% off Northbeam Plus for up to 4 years after verifying with a university email.", "How much cheaper is Plus for students?", "20% off Northbeam Plus"),  # noqa: E501
    ("faq-offline-setup", "Can I set up devices without an account?", "No. Setup needs a Northbeam account, but devices keep working locally if you later delete the cloud connection.", "Do I need an account to set up a sensor?", "Setup needs a Northbeam account"),  # noqa: E501
]  # fmt: skip

UNANSWERABLE = [
    "What is the battery life of the Beacon Drone?",
    "Does Northbeam ship to Antarctica research stations?",
    "How many vacation days do Northbeam interns get?",
    "What is the price of the Lumen Bulb in Japanese yen?",
    "Which error code means the Thermo Sense display cracked?",
    "Does the Plug Pro support 32 A industrial sockets?",
    "Who is the current head of Northbeam's legal team?",
    "Can I pay for Northbeam Plus with Bitcoin?",
    "What is the warranty on the Beacon Speaker?",
    "How many devices did Northbeam sell in 2019?",
    "Does the Chime Doorbell work with a 48 V transformer?",
    "What is the maximum water depth for the Leak Sense?",
    "Is there a lifetime plan for Northbeam Plus?",
    "What firmware version added facial recognition to the Beacon Cam Indoor?",
    "Which Northbeam office is in Berlin?",
    "How long does express shipping to Brazil take?",
]

SUPPORT_AGENTS = ["Ana", "Bruno", "Chloe", "Dev", "Eitan", "Fatima", "Gus", "Hana"]
CUSTOMER_OPENERS = [
    "Since this morning my {name} shows {code}.",
    "My {name} keeps flashing red and the app says {code}.",
    "After a power cut the {name} reports error {code}.",
    "Error {code} on the {name}, nothing works.",
]
TICKET_EXTRA = [
    "I already restarted the router.",
    "It was fine yesterday.",
    "This is the second time this month.",
    "We have three of them in the office.",
]


def slug(text: str) -> str:
    """Lower-case, hyphenated id for a heading."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def html_page(title: str, sections: list[tuple[str, str]]) -> str:
    """Render sections as a web page with navigation and footer boilerplate around the text."""
    body = "".join(
        f"<h2>{html.escape(heading)}</h2>\n<p>{html.escape(text)}</p>\n"
        for heading, text in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | Northbeam</title>"
        "<script>window.analytics={track(){}};</script></head>\n<body>\n"
        '<nav><a href="/">Home</a> | <a href="/support">Support</a> | '
        '<a href="/shop">Shop</a></nav>\n'
        f"<main><article>\n<h1>{html.escape(title)}</h1>\n{body}</article></main>\n"
        "<footer>&copy; 2025 Northbeam. All rights reserved. Cookie settings.</footer>\n"
        "</body></html>\n"
    )


def markdown(title: str, sections: list[tuple[str, str]]) -> str:
    """Render sections as the clean markdown text that ingestion should recover."""
    return f"# {title}\n\n" + "".join(f"## {h}\n\n{t}\n\n" for h, t in sections).rstrip() + "\n"


class Builder:
    """Collects documents and questions, and checks each question's evidence is in its doc."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.questions: list[dict[str, Any]] = []
        self.sections: dict[str, dict[str, str]] = {}

    def add_doc(
        self, doc_id: str, kind: str, fmt: str, title: str, sections: list[tuple[str, str]],
        **meta: str,
    ) -> None:  # fmt: skip
        """Add one document in markdown or html, with metadata."""
        text = markdown(title, sections)
        source = html_page(title, sections) if fmt == "html" else text
        record = {"doc_id": doc_id, "kind": kind, "format": fmt, "title": title, **meta}
        self.docs.append({**record, "updated": meta.get("updated", CORPUS_UPDATED),
                          "source": source, "text": text})  # fmt: skip
        self.sections[doc_id] = {slug(h): t for h, t in sections}

    def ask(
        self, question: str, answer: str, doc_id: str, heading: str, evidence: str, kind: str
    ) -> None:
        """Add a question answered by one section of one doc; evidence must be quoted exactly."""
        section_text = self.sections[doc_id][slug(heading)]
        assert evidence in section_text, f"{evidence!r} not in {doc_id}#{slug(heading)}"
        self.questions.append({
            "question": question, "answer": answer, "relevant_doc_ids": [doc_id],
            "relevant_section_ids": [f"{doc_id}#{slug(heading)}"], "evidence": evidence,
            "answerable": True, "kind": kind,
        })  # fmt: skip

    def ask_page(
        self, question: str, answer: str, doc_id: str, page: str, evidence: str, kind: str
    ) -> None:
        """Add a question answered by one page of a PDF (checked by the ingestion tests)."""
        self.questions.append({
            "question": question, "answer": answer, "relevant_doc_ids": [doc_id],
            "relevant_section_ids": [f"{doc_id}#{page}"], "evidence": evidence,
            "answerable": True, "kind": kind,
        })  # fmt: skip


def build_manuals(b: Builder, rng: random.Random) -> None:
    """One manual per product, four questions each."""
    for p in PRODUCTS:
        doc_id = f"manual-{slug(p['name'])}"
        low, high = p["temp"]
        reset = (
            f"To factory-reset the {p['name']}, press and hold {p['button']} for "
            f"{p['reset']} seconds until the light blinks white."
            if p["reset"]
            else f"To factory-reset the {p['name']}, use {p['button']}."
        )
        errors = " ".join(
            f"Error {code} means {meaning}: {fix}." for code, meaning, fix in p["errors"]
        )
        sections = [
            (
                "Overview",
                f"The {p['name']} ({p['code']}) is a Northbeam {p['kind']} that "
                f"{p['capacity']}. It connects over {p['proto']}.",
            ),
            (
                "Specifications",
                f"Power: {p['power']}. Wireless range: up to {p['range_m']} m "
                f"indoors. Operating temperature: {low} °C to {high} °C.",
            ),
            (
                "Setup",
                f"Open the Northbeam app, tap Add device and scan the QR code on the "
                f"{p['name']}. Setup takes about {rng.choice([2, 3, 5])} minutes.",
            ),
            ("Factory reset", reset),
            ("Troubleshooting", errors),
            (
                "Warranty",
                f"The {p['name']} has a {p['warranty']}-year limited warranty from the "
                "date of delivery.",
            ),
        ]
        b.add_doc(doc_id, "manual", "markdown", f"{p['name']} user manual", sections,
                  product=p["name"])  # fmt: skip
        b.ask(f"What temperatures can the {p['name']} work in?",
              f"From {low} °C to {high} °C.", doc_id, "Specifications",
              f"Operating temperature: {low} °C to {high} °C", "manual")  # fmt: skip
        b.ask(f"How do I wipe the {p['name']} back to factory settings?", reset,
              doc_id, "Factory reset", reset.split(", ", 1)[1], "manual")  # fmt: skip
        b.ask(f"How many years of warranty come with a {p['name']}?",
              f"{p['warranty']} years.", doc_id, "Warranty",
              f"{p['warranty']}-year limited warranty", "manual")  # fmt: skip
        code, meaning, fix = p["errors"][0]
        b.ask(f"The {p['name']} displays {code}. What is wrong and how do I fix it?",
              f"{meaning[0].upper() + meaning[1:]}; {fix}.", doc_id, "Troubleshooting",
              f"Error {code} means {meaning}", "manual")  # fmt: skip


def build_release_notes(b: Builder, rng: random.Random) -> None:
    """Two firmware release notes per product, as HTML pages with one question each."""
    features = ["faster pairing", "a new energy-saving mode", "scheduled scenes",
                "improved motion detection", "offline automations", "a redesigned status light",
                "support for more languages", "quieter fan control"]  # fmt: skip
    for index, p in enumerate(PRODUCTS):
        for release in range(2):
            version = f"{2 + release}.{(index + release * 3) % 7}"
            feature = features[(index + release) % len(features)]
            code = p["errors"][release][0]
            month = 3 + release * 5 + index % 3
            doc_id = f"release-{slug(p['name'])}-{version.replace('.', '-')}"
            sections = [
                ("What is new", f"Firmware {version} for the {p['name']} adds {feature}."),
                (
                    "Fixed issues",
                    f"Fixed: the {p['name']} could show {code} by mistake after "
                    f"{rng.choice(['a firmware update', 'a router restart', 'a power cut'])}.",
                ),
                ("Rollout", f"Released on 2024-{month:02d}-15 in stages over 7 days."),
            ]
            b.add_doc(doc_id, "release-note", "html", f"{p['name']} firmware {version}",
                      sections, product=p["name"], updated=f"2024-{month:02d}-15")  # fmt: skip
            b.ask(f"Which {p['name']} firmware stopped it from wrongly showing {code}?",
                  f"Firmware {version}.", doc_id, "Fixed issues",
                  f"could show {code} by mistake", "release-note")  # fmt: skip


def build_policies(b: Builder) -> None:
    """Regional returns, warranty-claim, privacy and shipping policies plus global policies."""
    for region, r in REGIONS.items():
        docs = {
            "returns": ("Returns", [
                ("Return window", f"Customers in the {r['label']} may return any unused product "
                 f"within {r['returns']} days of delivery for a full refund."),
                ("Condition", "Returned products must include all accessories; opened sensors "
                 "are accepted if they are undamaged."),
            ], f"How many days do customers in the {r['label']} have to send a product back?",
                f"{r['returns']} days from delivery.", "Return window",
                f"within {r['returns']} days of delivery"),
            "warranty-claims": ("Warranty claims", [
                ("Claim handling", f"In the {r['label']}, we decide on a warranty claim within "
                 f"{r['claim']} days of receiving the device."),
                ("Proof of purchase", "A receipt or the order number is required."),
            ], f"How long does Northbeam take to decide a warranty claim in the {r['label']}?",
                f"Within {r['claim']} days of receiving the device.", "Claim handling",
                f"within {r['claim']} days of receiving the device"),
            "privacy-requests": ("Privacy requests", [
                ("Response time", f"For customers in the {r['label']}, we answer access and "
                 f"deletion requests within {r['privacy']} days."),
                ("Verification", "We verify identity through the account email before acting."),
            ], f"If I live in the {r['label']} and ask for my data to be deleted, how soon will "
               "you respond?", f"Within {r['privacy']} days.", "Response time",
                f"deletion requests within {r['privacy']} days"),
            "shipping": ("Shipping", [
                ("Delivery times", f"Standard delivery in the {r['label']} takes "
                 f"{r['ship'][0]} to {r['ship'][1]} business days."),
                ("Free shipping", f"Orders above {r['free_ship']} {r['currency']} ship free."),
            ], f"What order value gets free delivery in the {r['label']}?",
                f"Orders above {r['free_ship']} {r['currency']}.", "Free shipping",
                f"above {r['free_ship']} {r['currency']}"),
        }  # fmt: skip
        for topic, (name, sections, question, answer, heading, evidence) in docs.items():
            doc_id = f"policy-{topic}-{region.lower()}"
            fmt = "html" if topic == "shipping" else "markdown"
            b.add_doc(doc_id, "policy", fmt, f"{name} policy ({r['label']})", sections,
                      region=region)  # fmt: skip
            b.ask(question, answer, doc_id, heading, evidence, "policy")
    for doc_id, title, sections, questions in GLOBAL_POLICIES:
        b.add_doc(f"policy-{doc_id}", "policy", "markdown", title, sections, region="global")
        for question, answer, heading, evidence in questions:
            b.ask(question, answer, f"policy-{doc_id}", heading, evidence, "policy")


def build_tickets(b: Builder, rng: random.Random) -> None:
    """Add resolved support tickets, three per product error plus a few billing ones."""
    number = 1000
    for p in PRODUCTS:
        for code, meaning, fix in p["errors"]:
            for _ in range(3):
                number += 1
                ticket = f"ST-{number}"
                agent = rng.choice(SUPPORT_AGENTS)
                opener = rng.choice(CUSTOMER_OPENERS).format(name=p["name"], code=code)
                hours = rng.choice([1, 2, 4, 6, 20, 30])
                sections = [
                    ("Customer report", f"{opener} {rng.choice(TICKET_EXTRA)}"),
                    ("Diagnosis", f"Agent {agent} confirmed that {meaning}."),
                    ("Resolution", f"The customer was told to {fix}. Resolved in {hours} hours."),
                ]
                b.add_doc(f"ticket-{number}", "ticket", "markdown", f"Ticket {ticket}: {code} on "
                          f"{p['name']}", sections, product=p["name"])  # fmt: skip
                if number % 4 == 0:
                    b.ask(f"How long did it take to resolve ticket {ticket}?",
                          f"{hours} hours.", f"ticket-{number}", "Resolution",
                          f"Resolved in {hours} hours", "ticket")  # fmt: skip
                if number % 4 == 2:
                    b.ask(f"Which agent diagnosed ticket {ticket}?", f"{agent}.",
                          f"ticket-{number}", "Diagnosis", f"Agent {agent} confirmed",
                          "ticket")  # fmt: skip
    for month in range(1, 9):
        number += 1
        amount = 40 + month * 7
        sections = [
            ("Customer report", f"I was charged {amount} EUR twice for Northbeam Plus in "
             f"month {month}."),
            ("Resolution", f"Billing refunded the duplicate charge of {amount} EUR within "
             "5 business days."),
        ]  # fmt: skip
        b.add_doc(f"ticket-{number}", "ticket", "markdown", f"Ticket ST-{number}: double charge",
                  sections, product="Northbeam Plus")  # fmt: skip


def build_faqs(b: Builder) -> None:
    """FAQ pages in HTML, one question each."""
    for doc_id, title, text, question, evidence in FAQS:
        b.add_doc(doc_id, "faq", "html", title, [("Answer", text)])
        b.ask(question, text, doc_id, "Answer", evidence, "faq")


def add_duplicates(b: Builder) -> list[str]:
    """Add exact duplicates (re-posted tickets) and near duplicates (policy drafts)."""
    added = []
    for source_id in ("ticket-1003", "ticket-1017", "ticket-1040", "ticket-1066", "ticket-1071"):
        doc = next(d for d in b.docs if d["doc_id"] == source_id)
        added.append(f"{source_id}-repost")
        b.docs.append({**doc, "doc_id": added[-1]})
    for source_id in ("policy-returns-eu", "policy-returns-us", "policy-warranty-claims-uk",
                      "policy-price-match", "policy-volume-discounts"):  # fmt: skip
        doc = next(d for d in b.docs if d["doc_id"] == source_id)
        draft = doc["text"].replace("# ", "# Draft: ", 1).replace(".", ". ", 1)
        added.append(f"{source_id}-draft")
        b.docs.append({**doc, "doc_id": added[-1], "source": draft, "text": draft,
                       "status": "draft", "updated": "2023-11-20"})  # fmt: skip
    return added


def build_pdfs(out: Path, b: Builder) -> None:
    """Three PDFs: a price-list table, a report with a chart, a guide with a scanned page."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab import rl_config
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import (
        Image as PdfImage,
    )
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    rl_config.invariant = 1  # no timestamps or random ids: the same bytes on every run
    styles = getSampleStyleSheet()
    folder = out / "enterprise" / "pdfs"
    folder.mkdir(parents=True, exist_ok=True)

    def build(name: str, title: str, flow: list[Any]) -> None:
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Northbeam",
                          creator="data/generators/enterprise_corpus.py").build(flow)  # fmt: skip
        (folder / name).write_bytes(buffer.getvalue())

    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)])  # fmt: skip
    rows = [["Code", "Product", "EUR", "USD", "Launched"]]
    for i, p in enumerate(PRODUCTS):
        eur = 29 + (i * 37) % 180
        rows.append(
            [p["code"], p["name"], f"{eur}.00", f"{round(eur * 1.1)}.00", str(2019 + i % 6)]
        )
    build("prices-2025.pdf", "Price list 2025", [
        Paragraph("Northbeam price list 2025", styles["Title"]),
        Paragraph("Recommended retail prices, including VAT, valid from 1 January 2025.",
                  styles["Normal"]), Spacer(1, 12),
        Table(rows, style=grid),
    ])  # fmt: skip
    hub = rows[1]
    b.ask_page("What is the recommended retail price of the Beacon Hub in euros in 2025?",
          f"EUR {hub[2]}.", "pdf-prices-2025", "p1", hub[2], "pdf-table")  # fmt: skip
    strip = next(r for r in rows if r[1] == "Lumen Strip")
    b.ask_page("What is the product code and US price of the Lumen Strip?",
          f"{strip[0]}, USD {strip[3]}.", "pdf-prices-2025", "p1", strip[3],
          "pdf-table")  # fmt: skip

    top_products = ["Beacon Hub", "Thermo Sense", "Beacon Cam Outdoor", "Smoke Sense"]
    claims = [("Q1", 118), ("Q2", 97), ("Q3", 164), ("Q4", 131)]
    chart = Drawing(400, 180)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 40, 30, 320, 130
    bars.data = [[count for _, count in claims]]
    bars.categoryAxis.categoryNames = [quarter for quarter, _ in claims]
    bars.valueAxis.valueMin = 0
    chart.add(bars)
    chart.add(String(150, 168, "Warranty claims per quarter, 2024", fontSize=10))
    table = [["Quarter", "Claims", "Top product"]] + [
        [q, str(c), top] for (q, c), top in zip(claims, top_products, strict=True)
    ]
    build("warranty-2024.pdf", "Warranty report 2024", [
        Paragraph("Warranty claims report 2024", styles["Title"]),
        Paragraph("Claims peaked in Q3 after the hub firmware 3.0 rollout; most Q3 claims "
                  "were for the Beacon Cam Outdoor battery.", styles["Normal"]),
        Spacer(1, 12), chart, Spacer(1, 12), Table(table, style=grid),
    ])  # fmt: skip
    b.ask_page("How many warranty claims did Northbeam receive in the third quarter of 2024?",
          "164.", "pdf-warranty-2024", "p1", "164", "pdf-table")  # fmt: skip
    b.ask_page("Which product caused most warranty claims in Q3 2024?",
          "The Beacon Cam Outdoor battery.", "pdf-warranty-2024", "p1",
          "Beacon Cam Outdoor", "pdf-text")  # fmt: skip

    diagram = Drawing(400, 140)
    for x, label in ((20, "Transformer 16 V"), (160, "Chime kit"), (300, "Doorbell")):
        diagram.add(Rect(x, 50, 90, 40, fillColor=colors.whitesmoke))
        diagram.add(String(x + 6, 66, label, fontSize=9))
    diagram.add(Line(110, 70, 160, 70))
    diagram.add(Line(250, 70, 300, 70))
    scan = Image.new("L", (1000, 260), color=255)
    pen = ImageDraw.Draw(scan)
    font = ImageFont.load_default(size=34)
    notice = ["SAFETY NOTICE", "Switch off the breaker before wiring.",
              "Installer hotline: 0800 555 0199"]  # fmt: skip
    for line_number, line in enumerate(notice):
        pen.text((30, 30 + line_number * 70), line, fill=0, font=font)
    png = io.BytesIO()
    scan.save(png, format="PNG")
    png.seek(0)
    build("chime-guide.pdf", "Chime Doorbell installation guide", [
        Paragraph("Chime Doorbell installation guide", styles["Title"]),
        Paragraph("Wire the 16 V transformer to the chime kit, then the chime kit to the "
                  "doorbell, as in the diagram. Use 0.8 mm bell wire.", styles["Normal"]),
        Spacer(1, 12), diagram, PageBreak(),
        Paragraph("Scanned notice from the installer kit:", styles["Normal"]),
        PdfImage(png, width=450, height=117),
    ])  # fmt: skip
    b.ask_page("Which wire thickness should I use to install the Chime Doorbell?",
          "0.8 mm bell wire.", "pdf-chime-guide", "p1", "0.8 mm bell wire",
          "pdf-text")  # fmt: skip
    b.ask_page("What is the installer hotline number for the Chime Doorbell?", "0800 555 0199.",
          "pdf-chime-guide", "p2", "0800 555 0199", "pdf-ocr")  # fmt: skip


def main(out: Path) -> None:
    """Write ``enterprise/corpus.jsonl``, ``enterprise/pdfs/*.pdf`` and ``rag_eval.jsonl``."""
    rng = random.Random(SEED)
    b = Builder()
    build_manuals(b, rng)
    build_release_notes(b, rng)
    build_policies(b)
    build_tickets(b, rng)
    build_faqs(b)
    build_pdfs(out, b)
    duplicates = add_duplicates(b)
    for question in UNANSWERABLE:
        b.questions.append({
            "question": question, "answer": "I don't know: the corpus does not say.",
            "relevant_doc_ids": [], "relevant_section_ids": [], "evidence": "",
            "answerable": False, "kind": "unanswerable",
        })  # fmt: skip
    folder = out / "enterprise"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8", newline="\n") as file:
        for doc in b.docs:
            file.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with (folder / "rag_eval.jsonl").open("w", encoding="utf-8", newline="\n") as file:
        for number, question in enumerate(b.questions, start=1):
            digest = hashlib.sha256(question["question"].encode()).digest()[0]
            split = "test" if digest % 5 < 2 else "train"
            record = {"qa_id": f"rq{number:03d}", **question, "split": split}
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(b.docs)} docs ({len(duplicates)} duplicates), {len(b.questions)} questions")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=default, help="folder to write into")
    main(parser.parse_args().out)
