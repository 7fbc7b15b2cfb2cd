"""``python -m deployer``: the same behaviour as the ``sagemaker-rollout`` console script."""

import sys

from deployer.cli import main

sys.exit(main())
