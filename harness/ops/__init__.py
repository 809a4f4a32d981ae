"""Operations tooling: load and fault scenarios for the scale tests and ``make soak``.

Nothing here runs in production; it drives a running stack from outside
(HTTP, a TCP proxy in front of a dependency, signals to processes) and checks
what ended up in the need log.
"""
