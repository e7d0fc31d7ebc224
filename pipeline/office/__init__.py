"""The finance office's side: where each unit stands (status, progress), what goes back to the
units (annotated workbooks, reminder letters), the reports to the committee, and what changed
since the previous build.
"""
