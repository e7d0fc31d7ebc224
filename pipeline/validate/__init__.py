"""Validate: check the read submissions against the catalogue; return typed values and findings.

`workbook` checks one file alone (run in the reader's worker, cached with the file); `rules`
checks the catalogue's rules across cells; `submissions` chooses one submission per unit and
checks across units; `model` holds what validation returns.
"""
