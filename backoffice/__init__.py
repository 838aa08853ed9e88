"""The village office's back office: registry, identification and received applications.

Kiosks talk to it over HTTP only (see `backoffice.app`). It imports `forms` and `devices`,
never `terminal` or `ui`.
"""

__version__ = "0.1.0"
