import sys

from unspin.cli import main

sys.exit(main())
