"""The package's exceptions. The CLI catches only the base class.

    PipelineError                 anything the user can act on; str() is Vietnamese
    ├── CatalogueError            templates/catalogue.yaml is malformed (names the YAML key)
    ├── TemplateError             a Word template cannot be rendered (names file and tag)
    └── BuildError                the build cannot start or finish (lock, output folder)

Problems in the units' files are not exceptions: they are `Finding`s (see core/findings.py),
collected so that one bad file never stops the others.
"""


class PipelineError(Exception):
    """Base of every error this package raises on purpose."""


class CatalogueError(PipelineError):
    """The catalogue does not load or does not pass its schema and cross-reference checks."""


class TemplateError(PipelineError):
    """A docxtpl template is missing, malformed or asks for an unknown variable."""


class BuildError(PipelineError):
    """The build cannot run (another build holds the lock, the output folder is unusable)."""
