"""`python -m coperformer`."""

import sys

from coperformer.cli.main import main

sys.exit(main())
