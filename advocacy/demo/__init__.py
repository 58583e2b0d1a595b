"""Demo data for ``make run``: the organisations and petitions of real campaigns."""
