"""`python -m bot.outbox_sender --channel telegram`: one worker process (see the package docstring)."""

from bot.outbox_sender.runner import main

raise SystemExit(main())
