"""Write ``loans.csv``: synthetic consumer-loan applications with known ground truth, seeded.

The table is built to teach validation, calibration and fairness with, not only to fit:

- ``defaulted`` is the label, drawn from ``p_default``, the true probability, which is shipped
  so that calibration can be checked against the truth. ``p_default`` is never a feature.
- ``days_past_due_max`` is only known once the loan has run: it **leaks** the label.
- About a third of the loans come from applicants who applied before. A repeat applicant
  keeps their attributes and their hidden reliability, so a random split lets a model
  memorise people: split by ``applicant_id``.
- On 2024-07-01 a partner channel launches and brings younger applicants with lower credit
  scores and larger loans: **covariate shift**. ``P(default | features)`` does not change.
- ``region`` is a segment: ``west`` is small and its applicants default more often for
  reasons outside the features, so per-segment metrics differ.
- About 4% of incomes are missing.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SEED = 20230101
N_LOANS = 3000
N_APPLICANTS = 2000
START = date(2023, 1, 1)
DAYS = 731
PARTNER_LAUNCH = date(2024, 7, 1)
REGIONS = {"north": 0.36, "south": 0.30, "east": 0.24, "west": 0.10}
REGION_EFFECT = {"north": 0.0, "south": 0.1, "east": -0.1, "west": 0.8}
PURPOSES = ["car", "home_improvement", "education", "debt_consolidation", "other"]


@dataclass(frozen=True)
class Applicant:
    """A person who applies once or more; ``reliability`` is hidden from the table."""

    applicant_id: str
    region: str
    birth_offset: float
    income: float
    home_ownership: str
    employment_years: int
    credit_score: int
    reliability: float


def make_applicant(rng: random.Random, number: int, partner: bool) -> Applicant:
    """One applicant; partner-channel applicants are younger with lower scores."""
    region = rng.choices(list(REGIONS), weights=list(REGIONS.values()))[0]
    age = rng.uniform(20, 40) if partner else rng.uniform(21, 70)
    income = math.exp(rng.gauss(3.5 + 0.012 * (age - 20), 0.35))  # thousands per year
    reliability = rng.gauss(0, 1)
    score = rng.gauss(680 - (45 if partner else 0) + 25 * reliability, 60)
    return Applicant(
        applicant_id=f"A{number:05d}",
        region=region,
        birth_offset=age,
        income=income,
        home_ownership=rng.choices(["rent", "mortgage", "own"], weights=[5, 4, 2])[0],
        employment_years=max(0, min(int(rng.expovariate(1 / 6)), int(age) - 18)),
        credit_score=int(min(850, max(300, score))),
        reliability=reliability,
    )


def make_loan(
    rng: random.Random, person: Applicant, when: date, channel: str, previous: dict[str, str]
) -> dict[str, str]:
    """One loan application and its outcome; ``previous`` is the person's last one, if any.

    Two in three repeat applications resubmit the same loan: same amount, term, purpose,
    debt-to-income and outcome, a near-duplicate row.
    """
    age = person.birth_offset + (when - START).days / 365.25
    resubmitted = bool(previous) and rng.random() < 2 / 3
    if resubmitted:
        amount, term = float(previous["loan_amount"]), int(previous["term_months"])
        dti, purpose = float(previous["debt_to_income"]), previous["purpose"]
    else:
        amount = math.exp(rng.gauss(2.2 + (0.35 if channel == "partner" else 0.0), 0.6))
        term = rng.choice([12, 24, 36, 60])
        spread = rng.gauss(0.28, 0.1) + 0.4 * amount / person.income / (term / 12)
        dti, purpose = min(0.95, max(0.01, spread)), rng.choice(PURPOSES)
    logit = (
        -2.0
        + 3.5 * (dti - 0.3)
        - 0.012 * (person.credit_score - 650)
        + 0.5 * math.log(amount / person.income * 10)
        - 0.05 * person.employment_years
        + (0.7 if age < 25 else 0.0)
        + REGION_EFFECT[person.region]
        - 1.2 * person.reliability
    )
    p_default = 1 / (1 + math.exp(-logit))
    defaulted = rng.random() < p_default
    if resubmitted:
        defaulted, past_due = previous["defaulted"] == "1", int(previous["days_past_due_max"])
    elif defaulted:
        past_due = rng.randint(60, 360)
    else:
        past_due = rng.choice([0] * 8 + [rng.randint(1, 45)])
    income = "" if rng.random() < 0.04 else f"{person.income:.1f}"
    return {
        "application_date": when.isoformat(),
        "applicant_id": person.applicant_id,
        "region": person.region,
        "channel": channel,
        "age": f"{age:.0f}",
        "income": income,
        "home_ownership": person.home_ownership,
        "employment_years": str(person.employment_years),
        "credit_score": str(person.credit_score),
        "loan_amount": f"{amount:.2f}",
        "term_months": str(term),
        "purpose": purpose,
        "debt_to_income": f"{dti:.3f}",
        "days_past_due_max": str(past_due),
        "p_default": f"{p_default:.4f}",
        "defaulted": str(int(defaulted)),
    }


def make_loans(seed: int = SEED) -> list[dict[str, str]]:
    """All loans, oldest first, numbered ``L00001`` …."""
    rng = random.Random(seed)
    days = sorted(rng.randrange(DAYS) for _ in range(N_LOANS))
    applicants: list[Applicant] = []
    last_loan: dict[str, dict[str, str]] = {}
    loans = []
    for day in days:
        when = START + timedelta(days=day)
        partner_share = 0.45 if when >= PARTNER_LAUNCH else 0.0
        channel = "partner" if rng.random() < partner_share else rng.choice(["branch", "online"])
        new_needed = len(applicants) < N_APPLICANTS and rng.random() < N_APPLICANTS / N_LOANS
        if new_needed or not applicants or channel == "partner":
            if len(applicants) < N_APPLICANTS or not applicants:
                person = make_applicant(rng, len(applicants) + 1, channel == "partner")
                applicants.append(person)
            else:
                person = rng.choice(applicants)
        else:
            person = rng.choice(applicants)
        loan = make_loan(rng, person, when, channel, last_loan.get(person.applicant_id, {}))
        last_loan[person.applicant_id] = loan
        loans.append(loan)
    return [{"loan_id": f"L{n:05d}", **loan} for n, loan in enumerate(loans, start=1)]


def main(out: Path) -> None:
    """Write ``loans.csv`` under ``out``."""
    loans = make_loans()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(loans[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(loans)
    out.mkdir(parents=True, exist_ok=True)
    (out / "loans.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=default, help="folder to write into")
    main(parser.parse_args().out)
