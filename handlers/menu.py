"""Greeting, main menu, help and office contacts: the conversation's home."""

from __future__ import annotations

from handlers import texts
from handlers.buttons import MenuItem, MenuItemName
from handlers.context import Context
from handlers.messages import Button, Incoming, LinkButton, Reply
from handlers.router import Feature, Router
from knowledge.schema import Locality

# menu item -> the command whose handler it runs (owned by the feature modules)
# (labels are names in handlers.texts, read when the menu is shown so a texts overlay applies)
MENU_ITEMS: list[tuple[MenuItemName, str, str]] = [
    ("ask", "MENU_ASK", ""),
    ("guides", "MENU_GUIDES", "huongdan"),
    ("complaint", "MENU_COMPLAINT", "phananh"),
    ("contact", "MENU_CONTACT", "lienhe"),
    ("subscribe", "MENU_SUBSCRIBE", "dangky"),
]


def main_menu(ctx: Context, text: str | None = None) -> Reply:
    rows = [[MenuItem(key).button(getattr(texts, label))] for key, label, _ in MENU_ITEMS]
    return Reply(texts.MENU_PROMPT if text is None else text, buttons=rows)


def menu_button() -> list[Button]:
    return [MenuItem("home").button(texts.BTN_MENU)]


async def start(ctx: Context, msg: Incoming) -> list[Reply]:
    ctx.leave_flow()
    welcome = texts.WELCOME.format(office=ctx.kb.locality.office_name)
    return [main_menu(ctx, welcome)]


async def show_menu(ctx: Context, msg: Incoming) -> list[Reply]:
    ctx.leave_flow()
    return [main_menu(ctx)]


async def on_menu_action(ctx: Context, msg: Incoming, action: MenuItem) -> list[Reply]:
    item = action.item
    if item == "home":
        return await show_menu(ctx, msg)
    if item == "ask":
        ctx.leave_flow()
        from handlers.answers import group_buttons

        return [Reply(texts.ASK_PROMPT, buttons=group_buttons(ctx))]
    for key, _, command in MENU_ITEMS:
        if key == item and command:
            registered = ctx.router.commands.get(command)
            if registered is None:
                return [Reply(texts.FEATURE_UNAVAILABLE), contact_reply(ctx)]
            return await registered.handler(ctx, msg)
    return [Reply(texts.EXPIRED_BUTTON), main_menu(ctx)]


def format_hours(loc: Locality) -> str:
    wh = loc.working_hours
    days = sorted(wh.days)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        day_text = f"{texts.HOURS_DAYS[days[0]]}–{texts.HOURS_DAYS[days[-1]]}"
    else:
        day_text = ", ".join(texts.HOURS_DAYS[d] for d in days)
    afternoon = ""
    if wh.afternoon:
        afternoon = texts.HOURS_AFTERNOON.format(
            a1=wh.afternoon[0].strftime("%H:%M"), a2=wh.afternoon[1].strftime("%H:%M")
        )
    line = texts.HOURS_LINE.format(
        days=day_text,
        m1=wh.morning[0].strftime("%H:%M"),
        m2=wh.morning[1].strftime("%H:%M"),
        afternoon=afternoon,
    )
    return f"{line}. {wh.note}" if wh.note else line


def contact_text(loc: Locality) -> str:
    text = texts.CONTACT.format(
        office=loc.office_name,
        address=loc.address,
        hotline=loc.hotline,
        email=texts.CONTACT_EMAIL.format(email=loc.email) if loc.email else "",
        hours=format_hours(loc),
        portal=loc.provincial_portal,
        national=loc.national_portal,
    )
    return f"{text}\n{texts.EXAMPLE_LOCALITY_NOTE}" if loc.example else text


def reception_text(loc: Locality) -> str:
    if not loc.reception_schedule:
        return texts.RECEPTION_NONE.format(hotline=loc.hotline)
    lines = [texts.RECEPTION_HEADER]
    for slot in loc.reception_schedule:
        where = f" ({slot.where})" if slot.where else ""
        lines.append(texts.RECEPTION_LINE.format(when=slot.when, who=slot.who, where=where))
    return "\n".join(lines)


def contact_reply(ctx: Context) -> Reply:
    loc = ctx.kb.locality
    links = [LinkButton(link.label, link.url) for link in loc.links]
    return Reply(contact_text(loc), links=links, buttons=[menu_button()])


async def contact(ctx: Context, msg: Incoming) -> list[Reply]:
    loc = ctx.kb.locality
    return [Reply(contact_text(loc)), Reply(reception_text(loc), buttons=[menu_button()])]


def help_replies(ctx: Context, header: str | None = None) -> list[Reply]:
    lines = [texts.HELP_HEADER if header is None else header]
    for command in ctx.router.commands.values():
        if command.staff_only and not ctx.is_staff:
            continue
        lines.append(f"/{command.name} — {command.description}")
    return [Reply("\n".join(lines)), main_menu(ctx)]


async def show_help(ctx: Context, msg: Incoming) -> list[Reply]:
    return help_replies(ctx)


async def on_thanks(ctx: Context, msg: Incoming) -> list[Reply]:
    return [Reply(texts.THANKS_REPLY, buttons=[menu_button()])]


async def on_goodbye(ctx: Context, msg: Incoming) -> list[Reply]:
    ctx.leave_flow()
    return [Reply(texts.GOODBYE_REPLY)]


async def on_yes_no(ctx: Context, msg: Incoming) -> list[Reply]:
    return [main_menu(ctx, texts.YES_NO_ALONE)]


FEATURE = Feature.MENU


def register(router: Router) -> None:
    router.command("start", start, texts.CMD_START)
    router.command("menu", show_menu, texts.CMD_MENU)
    router.command("lienhe", contact, texts.CMD_LIENHE)
    router.command("trogiup", show_help, texts.CMD_TROGIUP)
    router.action(MenuItem, on_menu_action)
    router.intent("greeting", start)
    router.intent("menu", show_menu)
    router.intent("restart", show_menu)
    router.intent("thanks", on_thanks)
    router.intent("goodbye", on_goodbye)
    router.intent("yes", on_yes_no)
    router.intent("no", on_yes_no)
