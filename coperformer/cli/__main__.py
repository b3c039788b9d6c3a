"""`python -m coperformer.cli`."""

import sys

from coperformer.cli.main import main

sys.exit(main())
