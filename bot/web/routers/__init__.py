"""One router per area of the web app; :func:`bot.web.app.create_app` wires them."""
