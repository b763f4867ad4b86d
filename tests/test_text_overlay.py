"""The per-deployment sentence overlay: valid, unknown key, wrong placeholder, reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.app import StartupError, build_app
from bot.commands.run import reload_texts
from handlers import texts
from handlers.text_overlay import ORIGINALS, OverlayError, apply_overlay, export_yaml, load_overlay
from tests.conftest import make_settings
from tests.test_cli import motcua


@pytest.fixture(autouse=True)
def restore_sentences() -> Iterator[None]:
    yield
    apply_overlay(None)


def write(path: Path, doc: object) -> Path:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


async def test_valid_overlay_rewords_the_bot_at_start_up(tmp_path: Path) -> None:
    new_welcome = "Kính chào anh/chị! Đây là trợ lý tự động của {office}."
    write(
        tmp_path / "texts.yaml",
        {
            "WELCOME": new_welcome,
            "CANNOT_USE_MEDIA": {"sticker": "Cảm ơn anh/chị, tôi chỉ đọc chữ ạ."},
            "MENU_ASK": "Hỏi về thủ tục hành chính",  # a label the menu module listed at import
            "MENU_PROMPT": "Anh/chị cần giúp gì ạ?",  # a default argument before the overlay existed
        },
    )
    app = await build_app(make_settings(tmp_path))
    try:
        from handlers.messages import Incoming

        replies = await app.dispatcher.handle(Incoming(channel="test", platform_id="1", text="/start"))
        assert replies[0].text.startswith("Kính chào anh/chị! Đây là trợ lý tự động của ")
        labels = [b.label for r in replies for b in r.flat_buttons]
        assert "Hỏi về thủ tục hành chính" in labels
        menu = await app.dispatcher.handle(Incoming(channel="test", platform_id="1", text="/menu"))
        assert menu[-1].text == "Anh/chị cần giúp gì ạ?"
        sticker = await app.dispatcher.handle(Incoming(channel="test", platform_id="1", other="sticker"))
        assert sticker[0].text == "Cảm ơn anh/chị, tôi chỉ đọc chữ ạ."
        assert texts.CANNOT_USE_MEDIA["photo"] == ORIGINALS["CANNOT_USE_MEDIA"]["photo"]  # type: ignore[index]
    finally:
        await app.close()


def test_unknown_key_is_refused_with_the_closest_name(tmp_path: Path) -> None:
    path = write(tmp_path / "texts.yaml", {"WELCOM": "Xin chào {office}", "CANNOT_USE_MEDIA": {"gif": "x"}})
    with pytest.raises(OverlayError) as err:
        load_overlay(path)
    assert f"{path}: WELCOM: not a sentence of the bot; did you mean WELCOME?" in err.value.problems
    assert any("CANNOT_USE_MEDIA.gif: unknown entry" in p for p in err.value.problems)


def test_placeholders_must_match_the_original(tmp_path: Path) -> None:
    path = write(
        tmp_path / "texts.yaml", {"WELCOME": "Xin chào anh/chị, {office_name}!", "EMPTY_TEXT": "x {"}
    )
    with pytest.raises(OverlayError) as err:
        load_overlay(path)
    [broken, wrong] = sorted(err.value.problems)  # EMPTY_TEXT sorts first
    assert "WELCOME: placeholders must match the original (office); missing: {office}" in wrong
    assert "unknown: {office_name}" in wrong
    assert "EMPTY_TEXT: broken braces" in broken


async def test_invalid_overlay_stops_start_up_and_a_failed_reload_keeps_the_old_one(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    path = write(tmp_path / "texts.yaml", {"THANKS_REPLY": "Cảm ơn {nobody}"})
    with pytest.raises(StartupError, match="texts overlay is invalid"):
        await build_app(settings)
    write(path, {"THANKS_REPLY": "Dạ, cảm ơn anh/chị!"})
    reload_texts(settings)
    assert texts.THANKS_REPLY == "Dạ, cảm ơn anh/chị!"
    write(path, {"THANKS_REPLY": "Cảm ơn {nobody}"})
    reload_texts(settings)  # logged, not applied
    assert texts.THANKS_REPLY == "Dạ, cảm ơn anh/chị!"
    path.unlink()
    reload_texts(settings)  # the overlay removed: the code's wording again
    assert texts.THANKS_REPLY == ORIGINALS["THANKS_REPLY"]


def test_export_round_trips_as_a_valid_overlay(tmp_path: Path) -> None:
    path = tmp_path / "all.yaml"
    path.write_text(export_yaml(), encoding="utf-8")
    overlay = load_overlay(path)
    assert set(overlay) == set(ORIGINALS)
    assert overlay["WELCOME"] == ORIGINALS["WELCOME"]


def test_texts_export_and_check_commands(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path)}
    out = motcua("texts", "export", str(tmp_path / "export.yaml"), env=env)
    assert out.returncode == 0, out.stderr
    assert "Xin chào anh/chị!" in (tmp_path / "export.yaml").read_text(encoding="utf-8")
    write(tmp_path / "texts.yaml", {"WELCOM": "x"})
    bad = motcua("texts", "check", env=env)
    assert bad.returncode == 1 and "did you mean WELCOME?" in bad.stderr
