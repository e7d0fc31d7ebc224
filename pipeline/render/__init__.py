"""Render: what leaves the pipeline for readers. The chapter (.docx) from the master template,
the merged and derived data, its charts, and the data pack for the consultants.
"""
