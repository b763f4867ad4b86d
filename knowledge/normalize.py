"""Vietnamese text normalization for matching.

Citizens type with or without diacritics, with old or new tone placement
(hòa / hoà, thủy / thuỷ), in NFC or NFD, with chat abbreviations (dk, ko, j,
cccd, gplx…). Everything the matcher compares goes through `normalize` and
`fold`, on both sides (knowledge base and question), so both meet in the same
canonical form:

- `normalize(text)`: NFC, lower case, new-style tone placement (oà, oè, uỷ),
  punctuation and whitespace collapsed to single spaces, abbreviations expanded.
- `strip_diacritics(text)`: removes every mark, `đ` becomes `d`.
- `fold(text)`: `strip_diacritics(normalize(text))`, the diacritic-free key.
"""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks (the five tones besides ngang). Other marks (circumflex,
# breve, horn) belong to the vowel and never move.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Anything that is not a letter or a digit separates words (dichvucong.gov.vn
# becomes "dichvucong gov vn"; the knowledge base goes through the same).
# Combining marks count as part of a word (a stray second mark must not split it).
_SEP_RE = re.compile(r"[^\w\u0300-\u036f]+|_+", re.UNICODE)

# Chat abbreviations and teen code, keyed by their diacritic-free form, applied
# token by token. Values are written with diacritics; they go through the same
# normalization. Only unambiguous expansions belong here.
ABBREVIATIONS: dict[str, str] = {
    # đăng ký
    "dk": "đăng ký",
    "dky": "đăng ký",
    "dki": "đăng ký",
    "dangky": "đăng ký",
    "dangki": "đăng ký",
    "dang ki": "đăng ký",
    # negation and question words
    "ko": "không",
    "k": "không",
    "kg": "không",
    "khg": "không",
    "hok": "không",
    "kh": "không",
    "khong": "không",
    "ko0": "không",
    "hem": "không",
    "j": "gì",
    "ji": "gì",
    "gj": "gì",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "bnhieu": "bao nhiêu",
    "bnh": "bao nhiêu",
    "dc": "được",
    "duoc": "được",
    "vs": "với",
    "ng": "người",
    "ngta": "người ta",
    "mn": "mọi người",
    "cx": "cũng",
    "r": "rồi",
    "ns": "nói",
    "bit": "biết",
    "bik": "biết",
    "bt": "biết",
    "z": "vậy",
    "zay": "vậy",
    "oy": "rồi",
    "thui": "thôi",
    "wa": "qua",
    "ad": "admin",
    "add": "admin",
    "hnay": "hôm nay",
    "hqua": "hôm qua",
    "trc": "trước",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "thanhks": "cảm ơn",
    "camon": "cảm ơn",
    "cam on": "cảm ơn",
    "ok": "ok",
    "oke": "ok",
    "okie": "ok",
    "okay": "ok",
    "uk": "ừ",
    "uh": "ừ",
    "um": "ừ",
    # papers and institutions
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "cmt": "chứng minh thư",
    "cancuoc": "căn cước",
    "gplx": "giấy phép lái xe",
    "blx": "bằng lái xe",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "tncn": "thu nhập cá nhân",
    "bhtn": "bảo hiểm thất nghiệp",
    "ubnd": "uỷ ban nhân dân",
    "ub": "uỷ ban",
    "ubx": "uỷ ban xã",
    "nvqs": "nghĩa vụ quân sự",
    "ct07": "xác nhận thông tin cư trú",
    "ct08": "xác nhận thông tin cư trú",
    "lltp": "lý lịch tư pháp",
    "gcn": "giấy chứng nhận",
    "qsdd": "quyền sử dụng đất",
    "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "hk": "hộ khẩu",
    "skh": "sổ hộ khẩu",
    "hkd": "hộ kinh doanh",
    "gpkd": "giấy phép kinh doanh",
    "gpxd": "giấy phép xây dựng",
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "dvcqg": "dịch vụ công quốc gia",
    "sdt": "số điện thoại",
    "đt": "điện thoại",
    "dt": "điện thoại",
    "pakn": "phản ánh kiến nghị",
    "tk": "tài khoản",
    "dkkh": "đăng ký kết hôn",
    "dkks": "đăng ký khai sinh",
    "gks": "giấy khai sinh",
    "xnhn": "xác nhận hôn nhân",
    "tp": "thành phố",
    "passport": "hộ chiếu",
}

# Old-style tone placement on the first vowel of an open "oa", "oe", "uy"
# syllable (hòa, khỏe, thủy) moves to the second vowel (hoà, khoẻ, thuỷ).
_OLD_TONE_RE = re.compile(
    r"([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aAeEyY])(?![\w\u0300-\u036f])", re.UNICODE
)


def _move_tones(nfd: str) -> str:
    """In NFD text, move a tone from o/u onto the following a/e/y at a word end."""

    def fix(m: re.Match[str]) -> str:
        first, tone, second = m.group(1), m.group(2), m.group(3)
        if first in "uU" and second not in "yY":
            return m.group(0)
        if first in "oO" and second not in "aAeE":
            return m.group(0)
        return first + second + tone

    return _OLD_TONE_RE.sub(fix, nfd)


def _canonical(text: str) -> str:
    """NFC, lower case, new-style tones, separators collapsed; no expansion."""
    text = unicodedata.normalize("NFD", text)
    text = text.replace("\u0110", "đ").replace("\u00d0", "đ").replace("\u00f0", "đ")
    text = text.casefold()
    # NFD keeps marks after their base letter; a mark after "o" stays with it
    # unless a tone sits between "o" and "a" (see _OLD_TONE_RE).
    text = _move_tones(text)
    text = unicodedata.normalize("NFC", text)
    text = _SEP_RE.sub(" ", text)
    return " ".join(text.split())


def _build_strip_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x2000):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base:
            table[code] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    table[ord("ð")] = "d"
    table[ord("Ð")] = "D"
    return table


_STRIP_TABLE = _build_strip_table()


def strip_diacritics(text: str) -> str:
    """Remove every combining mark; `đ`/`Đ` become `d`/`D`. Case is kept."""
    text = unicodedata.normalize("NFC", text).translate(_STRIP_TABLE)
    if text.isascii():
        return text
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_STRIP_TABLE)
    return unicodedata.normalize("NFC", text)


def _expand(tokens: list[str], plain: list[str], table: dict[str, list[str]]) -> list[str]:
    """Replace abbreviation tokens (looked up by their diacritic-free form)."""
    if _FIRST_KEYS.isdisjoint(plain):
        return tokens
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        # two-token abbreviations first ("dang ki")
        if i + 1 < n:
            exp = table.get(plain[i] + " " + plain[i + 1])
            if exp is not None:
                out.extend(exp)
                i += 2
                continue
        exp = table.get(plain[i])
        if exp is not None:
            out.extend(exp)
        else:
            out.append(tokens[i])
        i += 1
    return out


# Keys are diacritic-free; a token matches by its diacritic-free form, so "đk",
# "Đk" and "dk" expand alike, with or without diacritics (fold stays consistent).
_EXPANDED = {k: _canonical(v).split() for k, v in ABBREVIATIONS.items()}
_EXPANDED_FOLDED = {k: [strip_diacritics(w) for w in v] for k, v in _EXPANDED.items()}
_FIRST_KEYS = frozenset(k.split()[0] for k in _EXPANDED)
# For fast folding elsewhere: one-word keys whose folded expansion differs from
# the key ("cccd" -> "can cuoc cong dan"; "khong" folds back to itself), and the
# last words of two-word keys, which need their neighbour ("dang ki").
FOLDED_EXPANSIONS = {k: v for k, v in _EXPANDED_FOLDED.items() if " " not in k and v != [k]}
PAIR_LAST_WORDS = frozenset(
    k.split()[-1] for k, v in _EXPANDED_FOLDED.items() if " " in k and " ".join(v) != k
)


_CHUNK_CACHE: dict[str, tuple[list[str], list[str]]] = {}
_CHUNK_CACHE_MAX = 200_000


def _chunk(chunk: str) -> tuple[list[str], list[str]]:
    """Canonical and diacritic-free tokens of one whitespace-free chunk (cached).

    Everything `_canonical` does is local to a word, so a text can be processed
    chunk by chunk; chat vocabulary repeats, so the cache makes this cheap.
    """
    hit = _CHUNK_CACHE.get(chunk)
    if hit is not None:
        return hit
    canonical = _canonical(chunk)
    tokens = canonical.split()
    plain = strip_diacritics(canonical).split() if canonical else []
    if len(plain) != len(tokens):  # a token made only of stray marks
        plain = [strip_diacritics(t) for t in tokens]
    if len(_CHUNK_CACHE) >= _CHUNK_CACHE_MAX:
        _CHUNK_CACHE.clear()
    _CHUNK_CACHE[chunk] = (tokens, plain)
    return tokens, plain


def chunk_tokens(chunk: str) -> tuple[list[str], list[str]]:
    """Canonical and diacritic-free tokens of one whitespace-free chunk, no expansion."""
    return _CHUNK_CACHE.get(chunk) or _chunk(chunk)


def _tokens(text: str) -> tuple[list[str], list[str]]:
    tokens: list[str] = []
    plain: list[str] = []
    cache = _CHUNK_CACHE
    for chunk in str(text).split():
        hit = cache.get(chunk) or _chunk(chunk)
        tokens += hit[0]
        plain += hit[1]
    return tokens, plain


def normalize(text: str) -> str:
    """Canonical accented form: NFC, lower, new-style tones, abbreviations expanded."""
    if not text:
        return ""
    tokens, plain = _tokens(text)
    return " ".join(_expand(tokens, plain, _EXPANDED))


def fold(text: str) -> str:
    """The diacritic-free normalized form: `strip_diacritics(normalize(text))`."""
    if not text:
        return ""
    _, plain = _tokens(text)
    return " ".join(_expand(plain, plain, _EXPANDED_FOLDED) if plain else plain)


__all__ = ["ABBREVIATIONS", "fold", "normalize", "strip_diacritics"]
