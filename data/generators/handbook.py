"""Write the Northbeam handbook corpus (markdown docs) and its RAG question/answer eval set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# (doc_id, title, owner, updated, body). Northbeam is fictional; every fact is made up.
DOCS: list[tuple[str, str, str, str, str]] = [
    (
        "welcome",
        "Welcome to Northbeam",
        "People team",
        "2024-01-08",
        """
Northbeam was founded in 2016 and builds the Beacon smart-home hub and Northbeam Plus, the
subscription app that runs on it. About 140 people work here, in the Lisbon headquarters, the
Toronto office, and remotely across the EU and Canada.

## How this handbook works

Every page has an owner team. If a page is wrong or out of date, tell its owner in the
#handbook channel on Relay; the owner answers within two business days. Policies in this
handbook apply to every employee unless a local employment contract says otherwise.""",
    ),
    (
        "working-hours",
        "Working hours",
        "People team",
        "2024-02-12",
        """
A full-time week is 37.5 hours. Core hours are 10:00 to 15:00 in your local time zone: keep
them free for meetings and questions. Outside core hours, plan your day as you like.

## Overtime

Overtime needs your manager's approval in advance. Approved overtime is taken back as time off
within the next two months; it is not paid out, except for on-call work (see the on-call
page).""",
    ),
    (
        "remote-work",
        "Remote work",
        "People team",
        "2024-03-04",
        """
Office-based employees may work remotely up to three days a week. Fully remote roles are marked
as such in the contract.

## Home office

Everyone who works remotely at least two days a week gets a one-off home-office stipend of
EUR 600 for a desk, a chair or a monitor, and EUR 30 a month towards their internet bill.
Claim both through Ledger, like any other expense.

## Working from abroad

You may work from another country for up to 30 days a year. Tell the People team at least two
weeks before you go: some countries need paperwork first.""",
    ),
    (
        "offices",
        "Offices",
        "Workplace team",
        "2023-11-20",
        """
The Lisbon headquarters is open from 07:00 to 21:00 on weekdays; the Toronto office from 08:00
to 19:00. Your badge opens both.

## Visitors

Visitors sign in at reception and wear a visitor badge at all times. The host collects them at
reception and walks them out.

## Quiet floor

The third floor in Lisbon is a quiet floor: no calls and no meetings. Book a phone booth for
calls instead.""",
    ),
    (
        "vacation",
        "Vacation and public holidays",
        "People team",
        "2024-05-02",
        """
Every full-time employee has 25 paid vacation days a year, plus the public holidays of the
country they work in. Part-time employees get a share in proportion to their hours.

## Requesting time off

Request vacation in Compass, the HR portal. For more than three consecutive days, request it at
least two weeks ahead; your manager answers within three business days.

## Carrying days over

You may carry up to 5 unused vacation days into the next year. Carried-over days must be taken
by 31 March, or they are lost.""",
    ),
    (
        "sick-leave",
        "Sick leave",
        "People team",
        "2024-01-15",
        """
If you are ill, tell your manager before 10:00 on the first day, and record the day in Compass.
Sick days are paid and do not come out of your vacation.

For more than three consecutive sick days, upload a doctor's note to Compass. Mental-health days
are sick days too, and need no explanation.""",
    ),
    (
        "parental-leave",
        "Parental leave",
        "People team",
        "2024-04-22",
        """
The primary caregiver gets 20 weeks of fully paid parental leave, and the secondary caregiver
8 weeks. Parental leave is open to every employee after six months at Northbeam, whatever the
family's make-up.

Leave can start up to two weeks before the expected birth or adoption date, and the secondary
caregiver may split their weeks into two blocks within the child's first year. Tell the People
team at least eight weeks before the leave starts.""",
    ),
    (
        "expenses",
        "Expense reports",
        "Finance team",
        "2024-06-10",
        """
Submit expenses in Ledger within 30 days of paying. Attach a receipt for anything over EUR 25.
Your manager approves the report, and approved expenses are repaid with the next payroll.

## What is not reimbursed

Alcohol, fines, first-class travel and personal entertainment are never reimbursed. Meals with
customers are reimbursed up to EUR 60 a person; write the customer's company in the report.""",
    ),
    (
        "travel",
        "Business travel",
        "Finance team",
        "2024-06-10",
        """
Book flights and hotels through the travel desk (travel@northbeam.example), not yourself.
Fly economy for flights under six hours and premium economy for longer ones.

## Hotels and daily allowance

The hotel cap is EUR 180 a night, or EUR 250 a night in London, New York and San Francisco.
On travel days you get a daily allowance of EUR 45 for meals; you do not need receipts for it.
Other travel costs, such as taxis, go through Ledger as normal expenses.""",
    ),
    (
        "equipment",
        "Laptops and equipment",
        "IT team",
        "2024-02-26",
        """
New employees choose a 14-inch MacBook Pro or a ThinkPad X1 Carbon, and get one external monitor.
Laptops are replaced every three years, or sooner if they fail.

## Lost or stolen devices

Report a lost or stolen laptop or phone to the IT team within 24 hours, at
it-help@northbeam.example. IT wipes it remotely; you will not be blamed for reporting.""",
    ),
    (
        "learning-budget",
        "Learning budget",
        "People team",
        "2024-01-29",
        """
Each employee has a learning budget of EUR 1,000 a year for courses, books and conferences, and
two learning days a quarter to spend on them. Unused budget does not carry over.

Ask your manager before spending more than EUR 300 at once. For a conference, the learning
budget covers the ticket; travel to it follows the business travel policy.""",
    ),
    (
        "security-basics",
        "Security basics",
        "Security team",
        "2024-07-01",
        """
Use the company password manager, 1Password, for every work password. Multi-factor
authentication is required on every account that offers it, and production access needs a
hardware security key, which IT gives you on request.

## Phishing

If an email looks odd, use the Report Phishing button in your mail client; do not forward it.
The Security team runs a phishing exercise every quarter.""",
    ),
    (
        "data-classification",
        "Data classification",
        "Security team",
        "2024-07-01",
        """
Northbeam classifies data in four levels: public, internal, confidential and restricted.

- Public: anything on our website.
- Internal: most documents, including this handbook.
- Confidential: contracts, salaries, roadmaps.
- Restricted: customer personal data, device telemetry and payment data.

Restricted data stays in approved systems, is never copied to a laptop, and is never pasted
into an external AI tool or chat service.""",
    ),
    (
        "ai-tools",
        "Using AI assistants",
        "Security team",
        "2024-08-19",
        """
You may use the approved AI assistants listed on the IT portal for drafting, coding and
summarising. Never paste confidential or restricted data into them (see data classification).

Code written with an assistant gets the same code review as any other code, and its author is
responsible for it. Do not use an AI assistant to make a decision about a person, such as a
hiring or performance decision.""",
    ),
    (
        "onboarding",
        "Your first weeks",
        "People team",
        "2024-03-18",
        """
On your first day you get your laptop, your accounts and an onboarding buddy from another team.
Your buddy meets you twice in the first week and once a week for the first month.

We aim for every new engineer to ship a small change to production within their first two
weeks. Your manager holds check-ins at 30, 60 and 90 days.""",
    ),
    (
        "code-review",
        "Code review",
        "Engineering",
        "2024-04-08",
        """
Every change is reviewed before it is merged. Changes to production services need two
approvals; changes to internal tools need one.

## Keep reviews quick

Reviewers answer within one business day. Keep pull requests under 400 changed lines where you
can: small changes get better reviews. The author merges once the checks pass.""",
    ),
    (
        "release-process",
        "Release process",
        "Engineering",
        "2024-09-02",
        """
The Northbeam app ships on a release train every Tuesday and Thursday. Hub firmware ships once
a month, to 5% of hubs first and to everyone a week later if the error rate holds.

## Freeze

There are no releases between 20 December and 3 January, except fixes for SEV1 incidents.
New features ship behind feature flags, so a release can be rolled back by turning a flag off.""",
    ),
    (
        "on-call",
        "On-call",
        "Engineering",
        "2024-05-27",
        """
Engineers in the on-call rotation take one week at a time; the handover is on Monday at 10:00.
On-call pays a stipend of EUR 300 a week.

Acknowledge a page within 15 minutes. If you were paged between 23:00 and 07:00, take the next
morning off, or a full day off if you worked more than three hours that night.""",
    ),
    (
        "incident-response",
        "Incident response",
        "Engineering",
        "2024-05-27",
        """
Incidents have three severities. SEV1: the app or hubs are down for many customers. SEV2: a
major feature is broken. SEV3: a minor problem with a workaround.

## During a SEV1

An incident commander takes charge within 10 minutes of the page. The status page is updated
every 30 minutes until the incident is resolved.

## Afterwards

Every SEV1 and SEV2 gets a blameless postmortem within five business days, with action items
that have owners and dates.""",
    ),
    (
        "support-tiers",
        "Customer support tiers",
        "Support team",
        "2024-08-05",
        """
Tier 1 support answers every ticket first. Tier 1 escalates to Tier 2, the support engineers,
when a problem needs logs or a device's telemetry; Tier 2 escalates to the product engineering
team on call only for bugs.

## First-response targets

Urgent tickets from enterprise customers get a first response within 1 hour, around the clock.
Other urgent tickets get one within 4 hours, high within 8 business hours, and medium or low
within 2 business days.""",
    ),
    (
        "refunds",
        "Refunds",
        "Finance team",
        "2024-06-24",
        """
Customers may return a Beacon hub for a full refund within 30 days of delivery. Monthly
Northbeam Plus plans are not refunded, but can be cancelled at any time. Annual plans are
refunded pro rata for the full months left.

Support agents may approve refunds up to EUR 500; larger refunds need the Finance team's
approval. Refunds reach the customer within 10 business days.""",
    ),
    (
        "shipping",
        "Shipping and returns",
        "Operations team",
        "2024-03-11",
        """
We ship Beacon hubs to the EU, the United Kingdom, Canada and the United States. Standard
shipping takes 3 to 5 business days and is free; express shipping takes 1 to 2 business days
and costs EUR 15.

## Damaged or lost parcels

A hub that arrives damaged is replaced free of charge; ask the customer for a photo. A parcel
is declared lost when tracking has not moved for 10 business days, and a new hub is sent.""",
    ),
    (
        "data-retention",
        "Data retention",
        "Security team",
        "2024-07-15",
        """
Support tickets are kept for 24 months after they are closed. Application logs are kept for
90 days and backups for 35 days. Device telemetry is kept for 12 months, then aggregated.

## Deletion requests

When a customer asks for their data to be deleted, it is deleted from every system within 30
days, and from backups when those expire.""",
    ),
    (
        "performance-reviews",
        "Performance reviews",
        "People team",
        "2024-02-05",
        """
Reviews happen twice a year, in April and October. Each review has a self-review, feedback from
two peers of your choice, and a conversation with your manager.

Managers calibrate their ratings together, so that the same work gets the same rating in every
team. Northbeam does not rank people against each other.""",
    ),
    (
        "compensation",
        "Pay and equity",
        "People team",
        "2024-04-01",
        """
Salary bands for every role and level are published on the People portal. Salaries are
reviewed once a year, in April, together with the spring performance review.

Every permanent employee receives stock options when they join, with a four-year vesting
schedule and a one-year cliff. Refresh grants follow promotions.""",
    ),
    (
        "communication",
        "How we communicate",
        "People team",
        "2023-12-04",
        """
Relay is our chat tool. Write in public channels rather than direct messages whenever you can,
so that others can find the answer later.

## Meetings

Every meeting has an agenda in the invite, or it can be declined. Decisions are written in the
team's decision log on the wiki within a day. Wednesdays are meeting-free for engineering.""",
    ),
    (
        "hiring",
        "Hiring and referrals",
        "People team",
        "2024-01-22",
        """
Our interview loop has four stages: a recruiter call, a skills interview, a team interview and
a values interview. Candidates hear back within five business days after each stage.

## Referrals

If someone you referred is hired, you get a referral bonus of EUR 2,000 once they have been
with Northbeam for three months.""",
    ),
    (
        "offboarding",
        "Leaving Northbeam",
        "People team",
        "2024-01-22",
        """
Tell your manager in writing; the notice period is in your contract. Return your laptop and
any other equipment within 10 days of your last day; IT sends a prepaid box.

Your accounts are closed at the end of your last day. Unused vacation days are paid out with
your final salary.""",
    ),
]

# (question, answer, relevant doc_ids).
QA: list[tuple[str, str, list[str]]] = [
    ("How many paid vacation days does a full-time employee get each year?",
     "25 days, plus the public holidays of the country they work in.", ["vacation"]),
    ("Until when can carried-over vacation days be taken?", "Until 31 March.", ["vacation"]),
    ("How far ahead must I request a week of vacation?",
     "At least two weeks ahead, since it is more than three consecutive days.", ["vacation"]),
    ("When do I need a doctor's note for sick leave?",
     "For more than three consecutive sick days.", ["sick-leave"]),
    ("How long is parental leave for the primary caregiver?",
     "20 weeks, fully paid.", ["parental-leave"]),
    ("What are the core hours?", "10:00 to 15:00 in your local time zone.", ["working-hours"]),
    ("How much is the one-off home-office stipend?", "EUR 600.", ["remote-work"]),
    ("How many days a year may I work from another country?", "Up to 30 days.", ["remote-work"]),
    ("Within how many days must expenses be submitted?",
     "Within 30 days of paying.", ["expenses"]),
    ("Above what amount do I need a receipt for an expense?", "Over EUR 25.", ["expenses"]),
    ("What is the hotel cap in London?", "EUR 250 a night.", ["travel"]),
    ("Which cabin class may I book for a nine-hour flight?",
     "Premium economy, because the flight is longer than six hours.", ["travel"]),
    ("Do I need receipts for the daily travel allowance?",
     "No; the EUR 45 daily allowance needs no receipts.", ["travel"]),
    ("I spent three nights at a New York hotel on a business trip. What is the most Northbeam "
     "pays for the rooms, and by when must I file the claim?",
     "Up to EUR 750 (EUR 250 a night), submitted in Ledger within 30 days.",
     ["travel", "expenses"]),
    ("How often are laptops replaced?", "Every three years, or sooner if they fail.",
     ["equipment"]),
    ("How quickly must a lost laptop be reported, and to whom?",
     "Within 24 hours, to the IT team at it-help@northbeam.example.", ["equipment"]),
    ("How big is the yearly learning budget?", "EUR 1,000 a year per employee.",
     ["learning-budget"]),
    ("What do I need for production access?", "A hardware security key, from IT.",
     ["security-basics"]),
    ("Can I paste customer personal data into an AI assistant?",
     "No. Customer personal data is restricted and never goes into an external AI tool.",
     ["data-classification", "ai-tools"]),
    ("How many approvals does a change to a production service need?", "Two approvals.",
     ["code-review"]),
    ("When is the release freeze?", "From 20 December to 3 January.", ["release-process"]),
    ("How is new hub firmware rolled out?",
     "Monthly, to 5% of hubs first and to everyone a week later if the error rate holds.",
     ["release-process"]),
    ("How fast must an on-call engineer acknowledge a page?", "Within 15 minutes.",
     ["on-call"]),
    ("I was paged at 2 a.m. and worked for four hours. What time off do I get?",
     "A full day off, because more than three hours were worked that night.", ["on-call"]),
    ("How often is the status page updated during a SEV1 incident?", "Every 30 minutes.",
     ["incident-response"]),
    ("When is a postmortem due after a SEV2?", "Within five business days; it is blameless.",
     ["incident-response"]),
    ("What is the first-response target for an urgent ticket from an enterprise customer?",
     "Within 1 hour, around the clock.", ["support-tiers"]),
    ("Can a support agent approve a EUR 700 refund?",
     "No. Agents approve up to EUR 500; larger refunds need the Finance team.", ["refunds"]),
    ("How long does express shipping take and what does it cost?",
     "1 to 2 business days, for EUR 15.", ["shipping"]),
    ("How long are closed support tickets kept?", "24 months after they are closed.",
     ["data-retention"]),
    ("How much is the referral bonus and when is it paid?",
     "EUR 2,000, once the hire has been at Northbeam for three months.", ["hiring"]),
    ("Which day is meeting-free for engineering?", "Wednesday.", ["communication"]),
]  # fmt: skip


def render(doc_id: str, title: str, owner: str, updated: str, body: str) -> str:
    """Render one doc as markdown with a small front-matter header."""
    header = f"---\ndoc_id: {doc_id}\ntitle: {title}\nowner: {owner}\nupdated: {updated}\n---\n"
    return f"{header}\n# {title}\n{body.rstrip()}\n"


def main(out: Path) -> None:
    """Write ``handbook/NN-<doc_id>.md`` and ``handbook_qa.jsonl`` under ``out``."""
    folder = out / "handbook"
    folder.mkdir(parents=True, exist_ok=True)
    doc_ids = {doc[0] for doc in DOCS}
    for number, doc in enumerate(DOCS, start=1):
        (folder / f"{number:02d}-{doc[0]}.md").write_text(
            render(*doc), encoding="utf-8", newline="\n"
        )
    lines = []
    for number, (question, answer, relevant) in enumerate(QA, start=1):
        assert set(relevant) <= doc_ids, f"unknown doc in {relevant}"
        record = {"qa_id": f"q{number:02d}", "question": question, "answer": answer}
        lines.append(json.dumps({**record, "relevant_doc_ids": relevant}) + "\n")
    (out / "handbook_qa.jsonl").write_text("".join(lines), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=default, help="folder to write into")
    main(parser.parse_args().out)
