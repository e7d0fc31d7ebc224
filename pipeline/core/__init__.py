"""Shared by every stage and importing none: errors, findings, the records passed between
stages, text hygiene, Vietnamese number formats, LibreOffice, and the Word and Excel helpers.
"""
