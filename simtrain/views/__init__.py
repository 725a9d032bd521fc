"""Read models of the exercise log, under the service: what each screen and report shows.

``seat`` is what one trainee seat may see (the trainee's security boundary); ``lobby`` the
exercises a trainee could join; ``session`` one seat's calls for the trainee UI; ``demo``
the solo demo's set-up; ``board`` the facilitator console's read model; ``timeline`` the
report's narrative of a team. None of them imports Textual or touches the store.
"""
