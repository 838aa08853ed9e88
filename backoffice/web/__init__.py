"""The staff web pages: what village staff use in a browser on the office PC.

Server-rendered HTML (Jinja2 templates in `templates/`, one stylesheet in `static/`, no
JavaScript, nothing from another site), mounted by the back office under `/staff/`
(`site.install`). Indonesian first, English by a switch (per account); every text is in
`texts.py`.

Modules:
    permissions.py  roles and who may do what — the one table
    accounts.py     accounts, sign-in with a lockout, sessions, the staff audit log (no HTTP)
    core.py         the signed-in staff member (`Me`, `Posted` with the CSRF check),
                    `Refused`, `render`, the menu (`NAV`)
    auth.py         sign-in, sign-out, language
    queue.py        the queue's query: filters, search, counts, paging
    applications.py the queue page, the application page and its actions
    complaints.py   complaints by urgency, one complaint and its responses (the first
                    contact stops the 4-hour clock), response times per month
    satisfaction.py the SKM survey per period: element means, IKM and grade
                    (PermenPANRB 14/2017), an inline-SVG chart, CSV files
    registry.py     residents (search, filters, paging), a resident's page, and the desk
                    actions: bind the e-KTP on the desk reader, unbind, a new PIN, unlock
    fleet.py        the village's kiosks from their last heartbeats; silent ones flagged
    staff_admin.py  the admin's staff accounts: add, deactivate, reactivate, unlock, reset
    site.py         the sub-app: routers, error pages, security headers

Adding a page (complaints, registry, SKM, kiosk fleet …):
    1. a module with `router = APIRouter()`; a GET route takes `me: Me`, a POST route
       `me: Posted` (CSRF checked) and form fields as `Annotated[str, Form()] = ""`;
    2. first thing, `me.require(Perm.X, "action", target)`; add `Perm.X` to
       permissions.py and to the roles that may; look rows up with the village in the
       query (`… .where(Model.village_code == me.village_code)`) and raise
       `Refused(me, action, "other_village", status=404, message="refused.not_found",
       target=id)` when it is not there (see applications.scoped_application);
    3. a template extending base.html (`{% block title %}`, `{% block main %}`), rendered
       with `render(request, "x.html", me=me, active="x", …)`; every POST form carries
       `<input type="hidden" name="csrf" value="{{ me.csrf }}">`;
    4. its texts in texts.py (both languages);
    5. its router in `site.ROUTERS`, its menu item in `core.NAV`;
    6. a state change writes `accounts.record(…, ALLOWED, …)` in the same transaction;
       refusals are audited by the `Refused` handler.
"""
