"""Versioned releases and verified rollouts of Amazon SageMaker endpoints.

The package is imported on every ``terraform plan`` (through ``data "external"``), so this
module stays empty of imports: each submodule imports boto3 and friends only when it needs them.
"""

__version__ = "0.1.0"
