from tests.conftest import Chat


async def test_start_greets_with_menu(fixture_chat: Chat) -> None:
    replies = await fixture_chat.say("/start")
    assert "Xin chào" in replies[0].text
    assert "m:complaint" in fixture_chat.actions
