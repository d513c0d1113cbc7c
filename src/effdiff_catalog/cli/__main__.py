"""python -m effdiff_catalog.cli"""

import sys

from . import main

sys.exit(main())
