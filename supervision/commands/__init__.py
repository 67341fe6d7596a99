"""``pdcs`` sub-commands of the supervision part besides ``pdcs api``: roll-ups, figures, assessment."""
