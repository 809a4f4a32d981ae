"""Messaging platforms the guests write from besides the widget: Messenger and Zalo OA.

``outbound`` sends text (with tap-to-answer buttons) through each platform's API.
It imports no Rasa: the Rasa channels (``bot/rasa/channels.py``, ``bot/rasa/zalo.py``)
send the bot's replies with it, and the web app sends the staff's replies with it.
"""

FACEBOOK = "facebook"
ZALO = "zalo"
# Channels where a staff reply must be pushed through the platform's API (the
# widget polls for it instead), so a hand-over stores the guest's raw platform id.
PUSH_CHANNELS = (FACEBOOK, ZALO)
