"""Build the S&T chapter of the Bắc Giang master plan from the units' workbooks.

Stages, each a module with plain inputs and outputs:
catalogue → forms; read → validate → merge → derive → render; build runs them in order.
"""

__version__ = "0.1.0"
