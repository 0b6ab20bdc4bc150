"""Signals other parts of the app listen to (e.g. a guest's attempts joining a new account)."""

from blinker import Namespace

_signals = Namespace()

# Sent with the user after a successful login or registration in this browser.
user_logged_in_here = _signals.signal("user-logged-in-here")

# Sent inside the transaction that records a graded answer of a logged-in learner
# (quiz or live game), before the commit; listeners add to the session, never commit.
# Arguments: user_id, question_id, version_id, score (0..1 or None), elapsed_ms, answered_at.
answer_recorded = _signals.signal("answer-recorded")
