"""The catalogue (templates/catalogue.yaml): its model, loading and cross-checks, the formulas
of derived indicators and rules, and the workbook layout that forms write and the reader reads.
"""
