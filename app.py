"""Start the web app on corpus/ (the index is built on first run)."""

import logging
import os

from bot.settings import Settings
from bot.ui.app import launch

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    launch(Settings(), host=os.environ.get("BOT_HOST", "127.0.0.1"), port=int(os.environ.get("BOT_PORT", "7860")))
