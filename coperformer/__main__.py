"""`python -m coperformer`."""

import sys

from coperformer.cli import main

sys.exit(main())
