import sys

from backoffice.migrations import main

sys.exit(main())
