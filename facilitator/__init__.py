"""The facilitator console (``simtrain facilitate``): run a live exercise for several teams.

Modules: ``app`` (the Textual app, its live feed and ``run_facilitate``), ``board`` (what
the screens show, computed from the exercise service; no Textual), ``actions`` (service
calls that answer with a sentence), ``picker`` (pick or create an exercise, hand out join
codes), ``dashboard`` (clock, teams, MSEL), ``team`` (one team up close), ``debrief``
(every team side by side, one team in depth, a decision-by-decision replay),
``dialogs`` and ``widgets``; styles in ``facilitator.tcss``. Like every UI, it calls only
the exercise service (:mod:`simtrain.exercise`), from worker threads.
"""
