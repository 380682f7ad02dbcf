"""Transports connect the core to a chat platform (Discord) or a terminal (console)."""
