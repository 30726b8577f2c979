"""The human study (two-alternative forced choice): which of two reconstructions is closer to the
original?

- ``design``: the stimuli of a study (the originals of an eval run, semcodec's decoded images at
  each budget, classical codecs from bench results, attention-check degradations) and how trials
  are drawn for a participant.
- ``store``: the answers in SQLite (WAL, durable commits, one transaction per participant's
  draw), so a restart loses nothing and concurrent participants never clash.
- ``analysis``: win rates with confidence intervals and Bradley-Terry scores per method and
  budget, participants excluded by attention checks, the figure and the table.

The web app (``semcodec serve --study``) runs the study; ``semcodec study human`` analyses it.
"""
