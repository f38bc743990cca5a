__version__ = "0.1.0"

# TBLIP2_PORTABLE=1 (the numbers any x86-64 CPU gives) must reach torch's kernel libraries before their first call,
# so it is read here, before any module of the package imports torch (nbs/00_portable.ipynb)
from .portable import pin_portable as _pin_portable
_pin_portable()
