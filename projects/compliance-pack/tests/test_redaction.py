import pytest

from compliance_pack.redaction import Pseudonymiser, ahv_checksum_ok, find_pii, mask

LABELLED = [
    ("Mail anna.meier@example.ch today", [("anna.meier@example.ch", "EMAIL_ADDRESS")]),
    ("card 4111 1111 1111 1111 expires", [("4111 1111 1111 1111", "CREDIT_CARD")]),
    ("IBAN CH93 0076 2011 6238 5295 7 please", [("CH93 0076 2011 6238 5295 7", "IBAN_CODE")]),
    ("my AHV number is 756.1234.5678.97", [("756.1234.5678.97", "CH_AHV")]),
    ("card 4111 1111 1111 1112 is a typo", []),
    ("AHV 756.1234.5678.98 has a bad check digit", []),
    ("order 12345 shipped on 2024-01-02", []),
]


def test_does_the_ahv_checksum_accept_valid_and_reject_invalid_numbers() -> None:
    assert ahv_checksum_ok("756.1234.5678.97")
    assert not ahv_checksum_ok("756.1234.5678.98")
    assert not ahv_checksum_ok("123.1234.5678.97")


def test_do_precision_and_recall_reach_one_on_the_labelled_set() -> None:
    true_positives = found = expected = 0
    for text, labels in LABELLED:
        spans = {(text[s.start : s.end], s.entity) for s in find_pii(text)}
        true_positives += len(spans & set(labels))
        found += len(spans)
        expected += len(labels)
    assert (true_positives / found, true_positives / expected) == (1.0, 1.0)


def test_does_masking_leave_no_value_behind() -> None:
    text = "Write to anna.meier@example.ch, AHV 756.1234.5678.97."
    masked = mask(text, find_pii(text))
    assert masked == "Write to <EMAIL_ADDRESS>, AHV <CH_AHV>."


def test_is_pseudonymisation_stable_and_reversible() -> None:
    pseudonymiser = Pseudonymiser(b"k" * 32)
    text = "anna.meier@example.ch wrote to bob@example.org, then anna.meier@example.ch again"
    out = pseudonymiser.pseudonymise(text, find_pii(text))
    tokens = out.split()
    assert tokens[0] == tokens[-2]
    assert "example" not in out
    assert pseudonymiser.reidentify(out) == text


def test_is_a_short_key_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Pseudonymiser(b"short")
