"""The staff web console: an aiohttp sub-application mounted at /staff/ (see bot/web/app.py)."""
