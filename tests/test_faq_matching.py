"""Choosing the FAQ entry, the aspect, or the card: paraphrases, chat typing, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.direct_answers import choose_direct
from knowledge.aspects import Aspect, AspectsError, detect_aspect, load_aspects
from knowledge.faq import best_entry, ranked
from knowledge.loader import load_knowledge
from knowledge.schema import Procedure

KB = load_knowledge()
TODAY = dt.date(2026, 12, 1)


def _topic(topic_id: str) -> Procedure:
    topic = KB.get(topic_id)
    assert isinstance(topic, Procedure)
    return topic


@pytest.mark.parametrize(
    ("topic_id", "question", "entry_id"),
    [
        # with diacritics, without, chat-typed
        (
            "ket-hon-nuoc-ngoai",
            "chồng Hàn Quốc chưa sang được, em nhận giấy kết hôn một mình được không",
            "ca-hai-co-mat",
        ),
        (
            "ket-hon-nuoc-ngoai",
            "chong han quoc chua sang duoc em nhan giay ket hon 1 minh dc ko",
            "ca-hai-co-mat",
        ),
        ("bien-dong-dat-dai", "bo me cho con dat co phai dong thue tncn ko", "mien-thue-nguoi-than"),
        ("tro-cap-that-nghiep", "nghi viec 4 thang moi nop ho so that nghiep con dc huong ko", "han-nop"),
        # family words stand for each other: "vợ … chồng" finds the entry phrased "mẹ … con"
        ("ly-lich-tu-phap", "vo xin ly lich tu phap cho chong dc ko", "nguoi-than-xin-ho"),
        # "chỗ nào" after "khác nhau" asks no place
        ("khieu-nai-to-cao", "khieu nai voi to cao khac nhau cho nao", "khieu-nai-khac-to-cao"),
    ],
)
def test_a_paraphrase_finds_its_entry(topic_id: str, question: str, entry_id: str) -> None:
    direct = choose_direct(_topic(topic_id), question, None, TODAY)
    assert direct is not None and direct.faq_key == f"{topic_id}.{entry_id}"


def test_a_general_question_gets_the_card() -> None:
    """Only the topic's own words: no entry's special case is meant."""
    topic = _topic("nuoi-con-nuoi")
    assert ranked(topic, "đăng ký nhận con nuôi")[0].score > 0  # some entry shares the words…
    assert best_entry(topic, "đăng ký nhận con nuôi") is None  # …and still does not answer
    assert choose_direct(topic, "dang ky nhan con nuoi", None, TODAY) is None


def test_an_entry_on_another_aspect_does_not_answer() -> None:
    """ "lệ phí bao nhiêu" shares "bao nhiêu" with the entry on the child's age: the fee is asked."""
    direct = choose_direct(_topic("nuoi-con-nuoi"), "nhận con nuôi lệ phí bao nhiêu", None, TODAY)
    assert direct is not None and direct.aspect is Aspect.FEE and direct.faq_key is None


def test_a_bare_aspect_question_gets_the_aspect_answer() -> None:
    """ "ở đâu" alone: the office, not the entry on foreign spouses that also says "ở đâu"."""
    direct = choose_direct(_topic("ket-hon"), "dang ky ket hon o dau", None, TODAY)
    assert direct is not None and direct.faq_key is None and direct.aspect is Aspect.WHERE


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("làm hồ sơ thất nghiệp ở đâu", Aspect.WHERE),  # "làm hồ sơ" is not "làm hộ"
        ("nop ho so tre han co duoc khong", Aspect.DEADLINE),  # the yes/no cue yields
        ("ông bà làm hộ khai sinh cho cháu được không", Aspect.WHO),
        ("chủ trọ khai tạm trú giùm người thuê được không", Aspect.WHO),
        ("khiếu nại với tố cáo khác nhau chỗ nào", None),
    ],
)
def test_cues_that_look_alike(question: str, aspect: Aspect | None) -> None:
    assert detect_aspect(question) is aspect


def test_weak_and_ignored_phrases_are_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "aspects.yaml"
    bad.write_text("fee: [le phi]\nweak: [co duoc khong]\n", encoding="utf-8")
    with pytest.raises(AspectsError, match="weak: not a cue"):
        load_aspects(bad)
    bad.write_text("fee: [le phi]\nignore: [Hồ sơ]\n", encoding="utf-8")
    with pytest.raises(AspectsError, match=r"aspects\.yaml: ignore"):
        load_aspects(bad)
