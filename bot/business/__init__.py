"""What this restaurant has and does, from ``data/business.yml``.

* :mod:`~bot.business.profile` — the validated, live-reloaded business profile;
* :mod:`~bot.business.answers` — replies to hours, address, menu, price, diet … questions;
* :mod:`~bot.business.menu` — dishes named with typos, diets and allergies;
* :mod:`~bot.business.when` — Vietnamese dates, times and party sizes;
* :mod:`~bot.business.booking` — availability, book / change / cancel, alternatives;
* :mod:`~bot.business.booking_replies` — the wording of booking outcomes.
"""
