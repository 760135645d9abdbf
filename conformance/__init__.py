"""conformance: a cross-framework conformance suite for transposed convolution.

Cases are YAML in canonical terms; a NumPy oracle (``conformance.oracle``) is the judge;
one small adapter per framework API (``conformance.adapters``) runs each case.
"""

__version__ = "0.1.0"
