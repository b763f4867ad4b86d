"""HTTP pages and APIs beside the chat: the staff console (a sub-application mounted at /staff/,
see bot/web/app.py) and the Open311 API (bot/web/open311.py)."""
