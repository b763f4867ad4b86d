"""The parts of the issue-13 matcher: question extraction, the out-of-scope file,
the catalogue of procedures not covered, related topics and the NOT_COVERED reply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handlers import texts
from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.matcher import Matcher
from knowledge.matcher_decide import Opinions, apply_rules, clarify_topics, opinions, related_topics
from knowledge.matcher_question import split_question
from knowledge.not_covered import CatalogueEntry, CatalogueError, NotCoveredIndex, read_catalogue, terms_of
from knowledge.out_of_scope import MIN_KINDS, OutOfScopeError, load_out_of_scope, read_out_of_scope
from tests.conftest import FIXTURE_KB, Chat

# ------------------------------------------------------------ question extraction


def test_short_message_is_its_own_question() -> None:
    s = split_question("Khai sinh cho bé")
    assert (s.question, s.context, s.cue) == ("khai sinh cho be", "", None)
    assert not s.has_context


def test_question_mark_sentence_is_the_question_and_the_story_is_context() -> None:
    s = split_question("Vợ em mới sinh bé tuần trước. Ông bà bảo phải làm giấy sớm. Làm khai sinh ở đâu ạ?")
    assert s.cue == "?"
    assert s.question == "lam khai sinh o dau a"
    assert "vo em moi sinh" in s.context and s.has_context


def test_cue_phrase_without_question_mark() -> None:
    s = split_question("Nhà tôi ở xa trung tâm. Cho tôi hỏi đăng ký tạm trú cần giấy tờ gì")
    assert s.cue == "cho toi hoi"
    assert s.question.startswith("cho toi hoi dang ky tam tru")
    assert "nha toi o xa trung tam" in s.context


def test_no_cue_takes_the_last_sentence() -> None:
    s = split_question("Hôm qua tôi lên xã. Đông người quá. Đăng ký kết hôn")
    assert s.cue == "last"
    assert s.question.endswith("dang ky ket hon")


def test_one_sentence_story_before_vay_is_split() -> None:
    s = split_question("nha em o xa vo moi sinh em be duoc hai muoi ngay vay thi lam khai sinh o dau a")
    assert s.cue == "vay thi"
    assert s.question.startswith("vay thi lam khai sinh")
    assert s.context.startswith("nha em o xa")


def test_too_short_question_takes_the_sentence_before() -> None:
    s = split_question("Bố tôi mất tuần trước ở nhà. Đi đâu?")
    assert "bo toi mat" in s.question and s.question.endswith("di dau")


# ------------------------------------------------------------ out-of-scope file


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "out_of_scope.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_out_of_scope_file_is_valid_and_broad() -> None:
    kinds = load_out_of_scope()
    assert len(kinds) >= MIN_KINDS
    assert sum(len(m) for m in kinds.values()) >= 250


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("- a\n", "expected one field `kinds`"),
        ("kinds:\n  weather: []\n", "kinds.weather: expected a non-empty list"),
        ("kinds:\n  weather:\n    - ''\n", "kinds.weather[0]: expected a non-empty text"),
        ("kinds:\n  weather:\n    - mưa\n  food:\n    - Mưa\n", "kinds.food[0]: duplicate message"),
        ("kinds:\n  bad kind:\n    - x\n", "a kind is a word"),
        ("kinds: [\n", "(file)"),
    ],
)
def test_out_of_scope_problems_name_file_field_and_reason(tmp_path: Path, text: str, reason: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(OutOfScopeError) as exc:
        read_out_of_scope(path)
    assert any(str(path) in p and reason in p for p in exc.value.problems), exc.value.problems


def test_a_deployment_adds_out_of_scope_messages(tmp_path: Path) -> None:
    (tmp_path / "scope").mkdir()
    (tmp_path / "scope" / "out_of_scope.yaml").write_text(
        "kinds:\n  karaoke:\n    - quán karaoke nào hát hay\n", encoding="utf-8"
    )
    kinds = load_out_of_scope(tmp_path)
    assert kinds["karaoke"] == ["quán karaoke nào hát hay"]
    assert "weather" in kinds


# ------------------------------------------------------------ catalogue of procedures not covered


def _catalogue(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "procedures.tsv"
    p.write_text("\n".join(["# comment", "code\tlevels\tfield\tname\tsearch_name", *lines]), encoding="utf-8")
    return p


def test_bundled_catalogue_reads() -> None:
    entries = read_catalogue()
    assert len(entries) > 1500
    assert len({e.code for e in entries}) == len(entries)


def test_catalogue_problems_name_line_and_reason(tmp_path: Path) -> None:
    path = _catalogue(
        tmp_path,
        "1.1\tcommune\tThuế\tHoàn thuế\tHoàn thuế",
        "1.1\tcommune\tThuế\tHoàn thuế khác\tx",
        "1.2\tcountry\tThuế\tX\tX",
        "1.3\tcommune\tThuế",
    )
    with pytest.raises(CatalogueError) as exc:
        read_catalogue(path)
    text = "\n".join(exc.value.problems)
    assert f"{path}:4: code: duplicate '1.1'" in text
    assert f"{path}:5: levels: 'country'" in text
    assert f"{path}:6: expected 5 non-empty" in text


def test_catalogue_index_finds_the_named_procedure() -> None:
    entries = [
        CatalogueEntry("1", ("province",), "Thuế", "Hoàn thuế thu nhập cá nhân", "hoàn thuế TNCN"),
        CatalogueEntry("2", ("commune",), "Thủy sản", "Cấp giấy chứng nhận đăng ký tàu cá", "đăng ký tàu cá"),
    ]
    index = NotCoveredIndex(entries)
    entry, score = index.best("thu tuc dang ky tau ca moi dong")
    assert entry is not None and entry.code == "2" and score > 0.5
    assert index.best("hom nay troi mua")[0] is None
    own, rival = index.explained(
        "hoan thue thu nhap ca nhan", entries[0], terms_of(["thuế thu nhập cá nhân"])
    )
    assert own == 1.0 and 0 < rival < own  # the topic lacks "hoàn thuế"


def test_covered_codes_are_left_out_of_the_catalogue() -> None:
    m = Matcher(load_knowledge(FIXTURE_KB), learned=False)
    codes = {getattr(t, "code", None) for t in m.kb.topics.values()}
    assert not codes & {e.code for e in m.catalogue.entries}


# ------------------------------------------------------------ related topics


def test_related_topics_are_symmetric() -> None:
    rel = related_topics(load_knowledge())
    assert "lien-thong-khai-sinh" in rel["khai-sinh"]
    assert "khai-sinh" in rel["lien-thong-khai-sinh"]


def test_unknown_related_id_fails_the_load(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    path = kb / "khai-sinh.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nrelated:\n  - khong-co-that\n  - khai-sinh\n", "utf-8"
    )
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(kb)
    assert f"{path}: related[0]: 'khong-co-that': no topic has this id" in exc.value.problems
    assert f"{path}: related[1]: 'khai-sinh': a topic is not related to itself" in exc.value.problems


def _op(lexical: list[tuple[str, float]], learned: list[tuple[str, float]]) -> Opinions:
    return Opinions("q", None, lexical, "clarify", 0.9, learned, 0.1)


def test_close_call_between_related_topics_offers_only_them() -> None:
    related = {"khai-sinh": ("lien-thong-khai-sinh",), "lien-thong-khai-sinh": ("khai-sinh",)}
    op = _op([("khai-sinh", 0.5), ("lien-thong-khai-sinh", 0.48), ("tam-tru", 0.47)], [("tam-tru", 0.4)])
    assert clarify_topics(op, related) == ["khai-sinh", "lien-thong-khai-sinh"]


def test_close_call_between_unrelated_topics_offers_the_close_ones() -> None:
    op = _op([("khai-sinh", 0.5), ("tam-tru", 0.45), ("ho-chieu", 0.1)], [("vneid", 0.4)])
    assert clarify_topics(op, {}) == ["khai-sinh", "tam-tru", "vneid"]


def test_rules_refuse_out_of_scope_and_name_not_covered() -> None:
    op = Opinions("q", None, [("khai-sinh", 0.4)], "clarify", 0.05, [("khai-sinh", 0.3)], 0.3)
    assert apply_rules(op) == ("fallback", "out-of-scope")
    entry = CatalogueEntry("1", ("province",), "Thuế", "Hoàn thuế", "hoàn thuế")
    op = Opinions("q", None, [("bien-dong-dat-dai", 0.7)], "answer", 0.99, [("bien-dong-dat-dai", 0.9)], 0.9,
                  entry, 0.4, 1.0, 0.6)  # fmt: skip
    assert apply_rules(op) == ("fallback", "not-covered-explains-more")


def test_learned_preferring_a_related_topic_asks_between_them() -> None:
    # the lexical matcher would answer liên thông (its name mentions căn cước for under-6s),
    # the learned opinion prefers căn cước, which is related: the citizen chooses
    op = Opinions("q", None, [("lien-thong-khai-sinh", 0.91), ("can-cuoc", 0.73), ("vneid", 0.2)], "answer",
                  0.9, [("can-cuoc", 0.51), ("lien-thong-khai-sinh", 0.49)], 0.49,
                  related_learned=0.02)  # fmt: skip
    assert apply_rules(op) == ("clarify", "related-close-call")
    related: dict[str, tuple[str, ...]] = {
        "can-cuoc": ("lien-thong-khai-sinh",),
        "lien-thong-khai-sinh": ("can-cuoc",),
    }
    assert clarify_topics(op, related) == ["lien-thong-khai-sinh", "can-cuoc"]
    # the same disagreement with an unrelated learned top is the veto's business, not this rule's
    op = Opinions("q", None, [("lien-thong-khai-sinh", 0.91)], "answer", 0.9, [("can-cuoc", 0.51)], 0.49)
    assert apply_rules(op) == ("answer", "lexical")


def test_related_opinions_are_measured_against_declared_relations() -> None:
    m = Matcher(load_knowledge())
    op = opinions(m, "làm thẻ căn cước cho con dưới 6 tuổi")
    assert op.lexical[0][0] in ("can-cuoc", "lien-thong-khai-sinh")
    other = "can-cuoc" if op.lexical[0][0] == "lien-thong-khai-sinh" else "lien-thong-khai-sinh"
    assert other in m.related[op.lexical[0][0]]
    assert op.related_gap < 1.0  # the related topic is ranked, so its distance is known


# ------------------------------------------------------------ the NOT_COVERED reply


async def test_tax_question_gets_the_not_covered_reply(chat: Chat) -> None:
    for question in ("thủ tục hoàn thuế thu nhập cá nhân", "quyết toán thuế tncn"):
        await chat.say(question)
        text = chat.text
        assert "dichvucong.gov.vn" in text, text
        assert "chưa có hướng dẫn" in text
        prefix = texts.NOT_COVERED.split("«{name}»")[0]
        assert text.startswith(prefix) or prefix in text


def test_not_covered_match_explains_why() -> None:
    m = Matcher(load_knowledge())
    r = m.match("quyết toán thuế tncn")
    assert r.decision == "fallback" and r.not_covered is not None
    assert r.not_covered.field == "Thuế"
    assert r.explanation is not None and r.explanation.not_covered is not None
    assert r.explanation.rule.startswith(("known-not-covered", "not-covered"))


def test_a_lukewarm_agreement_asks_and_a_catalogue_name_as_good_says_not_covered() -> None:
    """The rules that kept «đăng ký ghe thuyền lần đầu» from the land registration card."""
    # both opinions agree, neither is sure (learned 0.51, lexical 0.44): ask, do not assert
    op = Opinions("dang ky ghe thuyen lan dau", None, [("so-do-lan-dau", 0.44)], "clarify", 0.6,
                  [("so-do-lan-dau", 0.51)], 0.51)  # fmt: skip
    assert apply_rules(op) == ("clarify", "agreement-too-weak")
    # one of them sure enough: the agreement answers as before
    op = Opinions("dang ky ghe thuyen lan dau", None, [("so-do-lan-dau", 0.44)], "clarify", 0.6,
                  [("so-do-lan-dau", 0.71)], 0.71)  # fmt: skip
    assert apply_rules(op) == ("answer", "agree-learned-confident")
    # a weakly agreed topic, a catalogue name explaining more of the question: not covered
    entry = CatalogueEntry("1", ("province",), "Thuế", "Khai thuế cho thuê nhà", "khai thuế cho thuê nhà")
    op = Opinions("khai thue cho thue nha", None, [("tam-tru", 0.49)], "clarify", 0.9, [("tam-tru", 0.71)],
                  0.71, entry, 0.31, 0.55, 0.48)  # fmt: skip
    assert apply_rules(op) == ("fallback", "not-covered-explains-as-much")
    # the lexical matcher answering alone (the learned opinion prefers another topic): the same
    op = Opinions("xoa dang ky phuong tien thuy", None, [("lien-thong-khai-tu", 0.57)], "answer", 0.96,
                  [("bien-dong-dat-dai", 0.74)], 0.1, entry, 0.64, 0.46, 0.37)  # fmt: skip
    assert apply_rules(op) == ("fallback", "not-covered-explains-as-much")


@pytest.mark.parametrize(
    "question",
    [
        "xin hoàn thuế tncn nộp thừa năm trước",
        "Cửa hàng nhà em định bán pháo hoa Bộ Quốc phòng dịp Tết. Cho em hỏi có phải xin giấy phép "
        "kinh doanh pháo hoa không?",
    ],
)
def test_other_offices_procedures_are_not_answered_with_a_topic(question: str) -> None:
    """A personal income-tax refund is not land registration, selling fireworks not a household business."""
    r = Matcher(load_knowledge()).match(question)
    assert r.decision == "fallback", r.explanation


def test_an_out_of_domain_pair_counts_even_when_a_word_of_it_was_corrected() -> None:
    m = Matcher(load_knowledge(), learned=False)
    # "phao" is unknown to the base and would be corrected to a known word
    assert m.lexical("xin giấy phép kinh doanh pháo hoa").decision == "fallback"
    assert m.lexical("xin giấy phép kinh doanh").decision != "fallback"
