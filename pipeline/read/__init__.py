"""Read: every file in inputs/ into plain submissions, with what reading found.

`package` checks a file's bytes before any parser sees it; `workbook` and `narrative` read one
file; `files` reads a folder in worker processes with limits, runs the check it is given in
the same worker and keeps results in `cache`. `model` holds the types they return.
"""
