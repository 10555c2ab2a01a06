"""Write ``support_tickets.csv``: synthetic Northbeam support tickets, seeded and reproducible.

The table is built to teach with, not only to fit:

- ``category`` and ``priority`` are the labels; about 4% of categories are deliberately wrong.
- ``assigned_team`` is set at triage, after the category is known, and
  ``resolution_hours`` only once the ticket is closed: both leak the labels.
- Each customer signs off their own way and mostly writes about one category, and a quarter
  of the texts are too vague to classify alone: a random split lets a model memorise
  customers, so split by ``customer_id`` instead.
- Hub firmware 3.0 shipped on 2024-09-10 and technical tickets jump after it: a time split
  behaves differently from a random one.
- Enterprise customers are few and write differently: per-segment metrics matter.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20240910
N_TICKETS = 2000
N_CUSTOMERS = 450
FIRMWARE_3 = datetime(2024, 9, 10)
SEGMENTS = {"consumer": 0.62, "small_business": 0.28, "enterprise": 0.10}
CATEGORIES = ["billing", "technical", "account", "shipping", "feature_request"]
PRIORITIES = ["low", "medium", "high", "urgent"]
TEAMS = {
    "billing": "finance-ops",
    "technical": "tier2-engineering",
    "account": "tier1-support",
    "shipping": "logistics",
    "feature_request": "product",
}
TEMPLATES = {
    "billing": [
        "I was charged twice for Northbeam Plus this {month}. Please refund the extra {amount}.",
        "My card was billed {amount} but I cancelled my plan last {month}.",
        "Can I get an invoice with our VAT number for the {month} payment?",
        "The annual plan renewed without warning. I want a refund of the remaining months.",
        "Why did my monthly price go up to {amount}?",
        "Payment failed again even though my card is valid, please check.",
        "Please switch us from monthly to annual billing starting {month}.",
    ],
    "technical": [
        "My {device} keeps going offline every few hours.",
        "The {device} does not pair with the app, it is stuck on the blue light.",
        "Since the last update the {device} reboots at night.",
        "Automations stopped running on my {device} yesterday.",
        "The app crashes when I open the energy dashboard.",
        "Door sensor shows the wrong state in the app, the {device} is on the latest version.",
        "Zigbee devices drop off the {device} after a power cut.",
        "The {device} is hot to the touch and the LED blinks red.",
    ],
    "account": [
        "I cannot log in, the reset password email never arrives.",
        "Please change the email address on my account.",
        "How do I add a second user to my home?",
        "I want to delete my account and all my data.",
        "Two-factor codes are not accepted anymore.",
        "My account was locked after too many attempts.",
    ],
    "shipping": [
        "My order has not arrived, tracking has not moved for {days} days.",
        "The {device} arrived with a cracked case.",
        "Can I change the delivery address of my order?",
        "I received the wrong item, I ordered a {device}.",
        "How do I return the {device}? It is within 30 days.",
        "Do you ship to {country}?",
    ],
    "feature_request": [
        "It would be great if the app had a dark mode.",
        "Please add support for Matter devices on the {device}.",
        "Could you add an export of the energy history to CSV?",
        "I would love scheduling by sunrise and sunset.",
        "Please let us share a home with guests for a limited time.",
        "Can the {device} work with my voice assistant?",
    ],
}
VAGUE_TEMPLATES = [
    "Something is wrong with my {device} again, can someone help?",
    "Same problem as last time, please look into it.",
    "Still waiting for an answer about my previous ticket.",
    "Can someone call me back today? It is about my order.",
    "Please help, this is the third time I write about this.",
    "I have a question about my plan and my {device}.",
]
FIRMWARE_TEMPLATES = [
    "After the firmware 3.0 update my {device} will not connect to wifi.",
    "Firmware 3.0 broke my automations, the {device} ignores schedules.",
    "Since updating to 3.0 the {device} loses all Zigbee devices.",
]
ENTERPRISE_TAILS = [
    " This affects {fleet} hubs across our sites.",
    " Our facilities team needs this fixed for all {fleet} units.",
    " Please reference our purchase order PO-{po} and our SSO setup.",
]
URGENT_WORDS = ("charged twice", "offline", "locked", "hot to the touch", "will not connect")
GREETINGS = ["", "", "Hi, ", "Hello, ", "Hi team, ", "Good morning, "]
SIGN_OFFS = ["", " Thanks.", " Thank you!", " Regards.", " Cheers", " Sent from my phone", " Ty"]
NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Marta",
    "Nuno",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomas",
]
COMPANIES = ["Alder", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Garnet", "Harbor", "Iris"]
KINDS = ["Dental", "Hotels", "Logistics", "Schools", "Clinics", "Offices", "Studios"]


@dataclass(frozen=True)
class Customer:
    """A customer: their segment, personal sign-off, category leanings and ticket rate."""

    customer_id: str
    segment: str
    sign_off: str
    leanings: list[float]
    activity: float


def make_customers(rng: random.Random) -> list[Customer]:
    """Draw the customers: a segment, a personal sign-off and category leanings for each."""
    customers = []
    for number in range(1, N_CUSTOMERS + 1):
        segment = rng.choices(list(SEGMENTS), weights=list(SEGMENTS.values()))[0]
        sign_off = rng.choice(SIGN_OFFS) + (f" {rng.choice(NAMES)}" if rng.random() < 0.7 else "")
        if segment == "enterprise":
            sign_off += f", {rng.choice(COMPANIES)} {rng.choice(KINDS)}"
        leanings = [rng.random() * 0.6 for _ in CATEGORIES]
        leanings[rng.randrange(len(CATEGORIES))] += 3.0
        activity = rng.paretovariate(1.5) * (1.5 if segment == "enterprise" else 1)
        customers.append(Customer(f"C{number:04d}", segment, sign_off, leanings, activity))
    return customers


def make_ticket(rng: random.Random, customer: Customer, when: datetime) -> dict[str, str]:
    """One ticket: text, labels, and the after-the-fact columns that leak them."""
    after_firmware = FIRMWARE_3 <= when < FIRMWARE_3 + timedelta(days=45)
    weights = list(customer.leanings)
    if after_firmware:
        weights[CATEGORIES.index("technical")] += 2.0
    category = rng.choices(CATEGORIES, weights=weights)[0]
    if category == "technical" and after_firmware and rng.random() < 0.6:
        template = rng.choice(FIRMWARE_TEMPLATES)
    elif rng.random() < 0.25:  # only the customer's history tells what these are about
        template = rng.choice(VAGUE_TEMPLATES)
    else:
        template = rng.choice(TEMPLATES[category])
    text = template.format(
        month=when.strftime("%B"),
        amount=f"EUR {rng.choice([4.99, 9.99, 49.0, 99.0, 119.0]):.2f}",
        device=rng.choice(["Beacon hub", "Beacon hub", "Beacon Mini"]),
        days=rng.randint(6, 15),
        country=rng.choice(["Mexico", "Australia", "Norway", "Japan"]),
    )
    segment = customer.segment
    if segment == "enterprise":
        tail = rng.choice(ENTERPRISE_TAILS)
        text += tail.format(fleet=rng.randint(12, 400), po=rng.randint(10000, 99999))
    greeting = rng.choice(GREETINGS)
    text = greeting + (text[0].lower() + text[1:] if greeting else text) + customer.sign_off
    if rng.random() < 0.15:
        text = text.lower()

    level = {"billing": 1, "technical": 1, "account": 1, "shipping": 1, "feature_request": 0}
    priority = level[category] + (rng.random() < 0.25)
    if any(word in text.lower() for word in URGENT_WORDS):
        priority = max(priority, 2) + (rng.random() < 0.5)
    if segment == "enterprise" and rng.random() < 0.4:
        priority += 1
    priority = min(priority, 3)
    resolution = rng.lognormvariate(3.6 - 0.7 * priority, 0.5)
    if rng.random() < 0.04:  # label noise: a triage slip
        category = rng.choice([c for c in CATEGORIES if c != category])
    return {
        "created_at": when.isoformat(timespec="minutes"),
        "customer_id": customer.customer_id,
        "customer_segment": segment,
        "channel": rng.choices(["email", "chat", "phone"], weights=[5, 4, 1])[0],
        "text": text.strip(),
        "category": category,
        "priority": PRIORITIES[priority],
        "assigned_team": TEAMS[category] if rng.random() < 0.97 else "tier1-support",
        "resolution_hours": f"{resolution:.1f}",
    }


def make_tickets(seed: int = SEED) -> list[dict[str, str]]:
    """All tickets, oldest first, numbered ``T00001`` …."""
    rng = random.Random(seed)
    customers = make_customers(rng)
    activity = [customer.activity for customer in customers]
    start = datetime(2024, 1, 1)
    minutes = [rng.randrange(366 * 24 * 60) for _ in range(N_TICKETS)]
    tickets = [
        make_ticket(rng, rng.choices(customers, weights=activity)[0], start + timedelta(minutes=m))
        for m in sorted(minutes)
    ]
    return [{"ticket_id": f"T{n:05d}", **t} for n, t in enumerate(tickets, start=1)]


def main(out: Path) -> None:
    """Write ``support_tickets.csv`` under ``out``."""
    tickets = make_tickets()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(tickets[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(tickets)
    out.mkdir(parents=True, exist_ok=True)
    (out / "support_tickets.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=default, help="folder to write into")
    main(parser.parse_args().out)
