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
    # --- the registry and the kiosk fleet (backoffice.web.registry, backoffice.web.fleet) ---
    REGISTRY = "registry"  # residents: identity, registry details, card/PIN state, applications
    CARD = "card"  # bind an e-KTP read on the desk reader, unbind it
    PIN = "pin"  # set a new PIN the resident types at the desk; unlock after wrong PINs
    FLEET = "fleet"  # the village's kiosks and their last heartbeats (nothing personal)
    # --- complaints and the satisfaction survey (backoffice.web.complaints, .satisfaction) ---
    COMPLAINTS = "complaints"  # the complaints, one complaint, the response-time statistics
    RESPOND = "respond"  # record a contact with the complainant (stops the clock) or a note
    SKM = "skm"  # the survey's results: responses, element means, IKM and grade
    SKM_EXPORT = "skm_export"  # the CSV files (every response; the summary)


OPERATOR, SEKDES, KADES, ADMIN = "operator", "sekdes", "kades", "admin"
ROLES: tuple[str, ...] = (OPERATOR, SEKDES, KADES, ADMIN)

_DESK = frozenset({Perm.VIEW, Perm.RETURN, Perm.VERIFY, Perm.REOPEN, Perm.PRINT, Perm.COLLECT})

PERMISSIONS: dict[str, frozenset[Perm]] = {
    OPERATOR: _DESK,
    SEKDES: _DESK | {Perm.ISSUE, Perm.CANCEL},
    KADES: _DESK | {Perm.ISSUE, Perm.CANCEL},
    ADMIN: frozenset({Perm.VIEW, Perm.MANAGE_STAFF}),
}


# --- the registry and the kiosk fleet ---------------------------------------------------------
# Registry, card and PIN: operator, sekdes and kades — the people who serve residents at the
# desk. Binding a card, setting a PIN and unlocking one are done with the resident present,
# their e-KTP in the clerk's hand and their face checked against it: everyday desk work, so the
# operator may; each is audited (ids only). Not the admin: the registry holds every villager's
# NIK, family card number, religion and blood type, and keeping staff accounts needs none of it
# (least data, UU PDP); and whoever creates accounts should not also be able to bind a card and
# set its PIN unseen — together that would be using a villager's identity at a kiosk.
# The fleet page holds nothing personal (versions, queue lengths, printer and reader states):
# every role, the admin included — whoever notices "paper out" or a silent kiosk can act.
_REGISTRY_DESK = frozenset({Perm.REGISTRY, Perm.CARD, Perm.PIN, Perm.FLEET})
for _role in (OPERATOR, SEKDES, KADES):
    PERMISSIONS[_role] = PERMISSIONS[_role] | _REGISTRY_DESK
PERMISSIONS[ADMIN] = PERMISSIONS[ADMIN] | {Perm.FLEET}


# --- complaints and the satisfaction survey ---------------------------------------------------
# Complaints: every role sees them. The 4-hour promise is kept by whoever is in the office, and
# a complaint holds only what the villager gave to be answered (their words, a phone number)
# plus the name the registry has for the NIK — the same kind of data as the application queue,
# which every role sees already. Recording a response (a contact, or a note) is desk work:
# operator, sekdes, kades; the admin looks but does not process, as with applications.
# SKM results: every role sees them — the answers are anonymous, the regulation has the results
# published anyway (PermenPANRB 14/2017), and the desk staff are the ones who can act on a weak
# element. The CSV export (every response, a file that leaves the system on a stick or in an
# e-mail) is for sekdes and kades, who compile the semester report and answer for it, and for
# the admin who helps with files; operators, whose own service is being rated, read it on
# screen. Each export is audited.
for _role in ROLES:
    PERMISSIONS[_role] = PERMISSIONS[_role] | {Perm.COMPLAINTS, Perm.SKM}
for _role in (OPERATOR, SEKDES, KADES):
    PERMISSIONS[_role] = PERMISSIONS[_role] | {Perm.RESPOND}
for _role in (SEKDES, KADES, ADMIN):
    PERMISSIONS[_role] = PERMISSIONS[_role] | {Perm.SKM_EXPORT}


def allowed(role: str, perm: Perm) -> bool:
    """Whether `role` may do `perm` (an unknown role may do nothing)."""
    return perm in PERMISSIONS.get(role, frozenset())
