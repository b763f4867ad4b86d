"""Every sentence the bot says to citizens and staff, in Vietnamese.

Kept in one package so a commune officer (or a translator) can review the
bot's voice in one place. The tone is "4 xin": xin chào, xin lỗi, xin cảm ơn,
xin phép; the bot addresses people as "anh/chị" and always leaves a path to a
human. Each feature keeps its sentences in its own module of this package;
handlers read them all as `texts.NAME`.
"""

from handlers.texts.aspects import *  # noqa: F403
from handlers.texts.broadcast import *  # noqa: F403
from handlers.texts.channels import *  # noqa: F403
from handlers.texts.dossiers import *  # noqa: F403
from handlers.texts.feedback import *  # noqa: F403
from handlers.texts.fees import *  # noqa: F403
from handlers.texts.general import *  # noqa: F403
from handlers.texts.guides import *  # noqa: F403
from handlers.texts.open311 import *  # noqa: F403
from handlers.texts.privacy import *  # noqa: F403
from handlers.texts.register import *  # noqa: F403
from handlers.texts.web import *  # noqa: F403
from handlers.texts.web_announcements import *  # noqa: F403
from handlers.texts.web_complaints import *  # noqa: F403
from handlers.texts.web_conversations import *  # noqa: F403
from handlers.texts.web_dossiers import *  # noqa: F403
from handlers.texts.web_privacy import *  # noqa: F403
from handlers.texts.web_stats import *  # noqa: F403
