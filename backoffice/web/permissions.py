"""Who may do what on the staff pages: the one table of roles and permissions.

Every route checks its permission on the server (`backoffice.web.pages`), whatever the page
showed; a refusal is a plain message and an `AuditEntry`. Which status an action may start
from is *not* here: that is the lifecycle's (backoffice.lifecycle.TRANSITIONS), and the
actions below only name the status they lead to.

The roles, in a village office's words:

- *operator* — the clerk at the desk: checks what the kiosks sent, returns an application
  with a message, passes it on for signature, prints the letter, hands it over.
- *sekdes* (sekretaris desa) — everything the operator does, and may sign *a.n. Kepala Desa*
  and cancel. Why sekdes may issue (record the signature): in tata naskah dinas the
  secretary signs routine letters *atas nama* the head when the head delegates it, and the
  letter then says so (forms.issued.Signer prints "a.n. Kepala Desa …" above the
  secretary's own name and title), so nobody is misled about who signed. Villages where
  only the head signs simply give no one the sekdes role, or take it away.
- *kades* (kepala desa) — everything, signing in their own name.
- *admin* — manages the village's staff accounts and may look at the queue (to help a
  clerk), but does not process applications: whoever keeps the accounts should not also
  be able to move a letter on unseen. An admin who also works the desk has a second account.

Issuing (number, final PDF, signed QR, *siap diambil*) is the signature: only the people who
sign may do it, never the operator, so no QR certifies a letter nobody signed. Cancelling is
final, so it is kept for the signers; an operator returns an application with a message
instead (the resident can fix it).
"""

from __future__ import annotations

from enum import StrEnum


class Perm(StrEnum):
    VIEW = "view"  # the queue, an application, the villager's PDF
    RETURN = "return"  # → dikembalikan, with a message for the resident
    VERIFY = "verify"  # → menunggu_tanda_tangan
    REOPEN = "reopen"  # back to sedang_diperiksa for another look
    ISSUE = "issue"  # record the signature: issue the letter → siap_diambil
    PRINT = "print"  # open the issued letter for the browser's print dialog
    COLLECT = "collect"  # → sudah_diambil, who collected it and when
    CANCEL = "cancel"  # → dibatalkan, with a reason
    MANAGE_STAFF = "manage_staff"  # staff accounts of the own village


OPERATOR, SEKDES, KADES, ADMIN = "operator", "sekdes", "kades", "admin"
ROLES: tuple[str, ...] = (OPERATOR, SEKDES, KADES, ADMIN)

_DESK = frozenset({Perm.VIEW, Perm.RETURN, Perm.VERIFY, Perm.REOPEN, Perm.PRINT, Perm.COLLECT})

PERMISSIONS: dict[str, frozenset[Perm]] = {
    OPERATOR: _DESK,
    SEKDES: _DESK | {Perm.ISSUE, Perm.CANCEL},
    KADES: _DESK | {Perm.ISSUE, Perm.CANCEL},
    ADMIN: frozenset({Perm.VIEW, Perm.MANAGE_STAFF}),
}


def allowed(role: str, perm: Perm) -> bool:
    """Whether `role` may do `perm` (an unknown role may do nothing)."""
    return perm in PERMISSIONS.get(role, frozenset())
