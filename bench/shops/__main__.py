from .build import _main

_main()
