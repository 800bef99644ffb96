from django.dispatch import Signal

# Sent inside the transaction after every state change: sender=Transfer,
# transfer=…, old=<state or None>, new=<state>, user=…
# Receivers only queue side effects with transaction.on_commit.
transfer_state_changed = Signal()
