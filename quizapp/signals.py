"""Signals other parts of the app listen to (e.g. a guest's attempts joining a new account)."""

from blinker import Namespace

_signals = Namespace()

# Sent with the user after a successful login or registration in this browser.
user_logged_in_here = _signals.signal("user-logged-in-here")
