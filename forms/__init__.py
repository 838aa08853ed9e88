"""The shared vocabulary of kiosk and back office.

Resident identity, NIK rules, the application payload, the letter catalogue (as data)
and the ReportLab renderer. Both sides import this package; they never import each other.
"""
