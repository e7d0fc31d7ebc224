"""`python -m pipeline`: the same commands as `khcn` (where the script is not on PATH)."""

from pipeline.cli import main

if __name__ == "__main__":
    main()
