"""State by state: curated, sourced entries (IMG licensure pathway, volunteer registration,
medical board, licensure waivers, notes) and the public ``/states`` pages (docs/states.md)."""
