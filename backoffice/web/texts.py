"""Every text of the staff pages: code → (Indonesian, English). Indonesian first.

Templates say `{{ t("queue.title") }}`, Python `me.t("…")` or `text(code, lang)`; `{name}`
placeholders are filled by keyword. tests/test_staff_web.py checks that every code has both
languages with the same placeholders, and that every code a template or module names exists.
Letter titles and field labels come from forms/ (they carry both languages), status names
from forms.status.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("id", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # frame
    "app.name": ("Smart Kampung — Kantor Desa", "Smart Kampung — Village Office"),
    "nav.label": ("Menu", "Menu"),
    "nav.queue": ("Antrean permohonan", "Application queue"),
    "lang.switch": ("English", "Bahasa Indonesia"),
    "logout": ("Keluar", "Sign out"),
    "role.operator": ("Operator", "Operator"),
    "role.sekdes": ("Sekretaris Desa", "Village Secretary"),
    "role.kades": ("Kepala Desa", "Village Head"),
    "role.admin": ("Admin", "Administrator"),
    "role.kiosk": ("kios", "kiosk"),
    # sign-in
    "login.title": ("Masuk petugas desa", "Village staff sign-in"),
    "login.username": ("Nama pengguna", "Username"),
    "login.password": ("Kata sandi", "Password"),
    "login.submit": ("Masuk", "Sign in"),
    "login.hint": (
        "Lupa kata sandi atau akun terkunci? Hubungi admin desa.",
        "Forgot your password or locked out? Ask the village administrator.",
    ),
    "login.failed": (
        "Tidak bisa masuk. Periksa nama pengguna dan kata sandi. Setelah 5 kali salah, akun "
        "dikunci selama 15 menit.",
        "Could not sign in. Check the username and password. After 5 wrong attempts the "
        "account is locked for 15 minutes.",
    ),
    "login.expired": (
        "Sesi Anda telah berakhir. Silakan masuk lagi.",
        "Your session has ended. Please sign in again.",
    ),
    "login.bye": ("Anda sudah keluar.", "You have signed out."),
    # refusals and errors
    "refused.title": ("Tidak dapat dilakukan", "Not possible"),
    "refused.role": (
        "Peran Anda tidak mengizinkan tindakan ini. Kejadian ini dicatat.",
        "Your role does not allow this action. This has been recorded.",
    ),
    "refused.csrf": (
        "Formulir ini sudah kedaluwarsa atau tidak berasal dari halaman ini. Buka kembali "
        "halamannya lalu coba lagi. Kejadian ini dicatat.",
        "This form has expired or did not come from this page. Open the page again and "
        "retry. This has been recorded.",
    ),
    "refused.csrf_login": (
        "Halaman masuk sudah kedaluwarsa. Silakan coba lagi.",
        "The sign-in page had expired. Please try again.",
    ),
    "refused.bad_input": (
        "Permintaan ini tidak dapat dibaca. Buka kembali halamannya lalu coba lagi.",
        "This request could not be read. Open the page again and retry.",
    ),
    "refused.not_issued": (
        "Surat untuk permohonan ini belum diterbitkan.",
        "The letter for this application has not been issued yet.",
    ),
    "notfound.title": ("Tidak ditemukan", "Not found"),
    "refused.not_found": (
        "Permohonan ini tidak ditemukan di desa Anda. Kejadian ini dicatat.",
        "This application was not found in your village. This has been recorded.",
    ),
    "notfound.page": ("Halaman ini tidak ada.", "There is no such page."),
    "error.method": (
        "Cara permintaan ini tidak didukung di sini.",
        "This request method is not supported here.",
    ),
    "message.back": ("Kembali ke antrean", "Back to the queue"),
    # the queue
    "queue.title": ("Antrean permohonan", "Application queue"),
    "queue.counts": ("Jumlah per status", "Count per status"),
    "queue.all": ("Semua", "All"),
    "queue.search": ("Cari nama, NIK atau nomor", "Search name, NIK or number"),
    "queue.search_hint": ("mis. Siti atau 3510…", "e.g. Siti or 3510…"),
    "queue.status": ("Status", "Status"),
    "queue.letter": ("Jenis surat", "Letter type"),
    "queue.all_letters": ("Semua jenis surat", "All letter types"),
    "queue.date_from": ("Diterima sejak", "Received from"),
    "queue.date_to": ("sampai", "to"),
    "queue.apply": ("Tampilkan", "Show"),
    "queue.reset": ("Hapus saringan", "Clear filters"),
    "queue.bad_date": (
        "Tanggal tidak dapat dibaca dan diabaikan.",
        "A date could not be read and was ignored.",
    ),
    "queue.found": ("{n} permohonan", "{n} applications"),
    "queue.empty": ("Tidak ada permohonan yang cocok.", "No matching applications."),
    "queue.pages": ("Halaman", "Pages"),
    "queue.previous": ("← Sebelumnya", "← Previous"),
    "queue.next": ("Berikutnya →", "Next →"),
    "queue.page_of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "col.number": ("No. permohonan", "Application no."),
    "col.received": ("Diterima", "Received"),
    "col.letter": ("Jenis surat", "Letter type"),
    "col.name": ("Nama pemohon", "Applicant"),
    "col.nik": ("NIK", "NIK"),
    "col.status": ("Status", "Status"),
    "col.kiosk": ("Kios", "Kiosk"),
    "col.when": ("Waktu", "When"),
    "col.who": ("Oleh", "By"),
    "col.change": ("Perubahan", "Change"),
    "col.message": ("Pesan / alasan", "Message / reason"),
    # the application page
    "app.title": ("Permohonan {number}", "Application {number}"),
    "app.back": ("Antrean", "Queue"),
    "app.letter_number": ("Nomor surat", "Letter number"),
    "app.signed_by": ("Ditandatangani", "Signed by"),
    "app.data": ("Data permohonan", "Application data"),
    "app.actions": ("Tindakan", "Actions"),
    "app.pdf": ("Salinan permohonan (PDF)", "Application copy (PDF)"),
    "app.pdf_open": ("Buka PDF di tab baru", "Open the PDF in a new tab"),
    "app.history": ("Riwayat", "History"),
    "app.no_actions": (
        "Tidak ada tindakan untuk peran Anda pada status ini.",
        "There is nothing for your role to do at this status.",
    ),
    "app.other_roles": ("Hanya peran lain yang dapat:", "Only other roles may:"),
    "action.print": ("Cetak surat", "Print the letter"),
    "action.print_hint": (
        "Surat terbuka di tab baru; cetak dengan tombol cetak penampil PDF (Ctrl+P).",
        "The letter opens in a new tab; print it with the PDF viewer's print button (Ctrl+P).",
    ),
    "action.verify": ("Verifikasi", "Verify"),
    "action.verify_hint": (
        "Data sudah diperiksa dan benar: teruskan untuk ditandatangani.",
        "The data is checked and correct: pass it on for signature.",
    ),
    "action.issue": ("Tanda tangani & terbitkan surat", "Sign and issue the letter"),
    "action.issue_hint": (
        "Memberi nomor surat, membuat surat akhir dengan kode QR, dan menandainya siap diambil.",
        "Gives the letter its number, makes the final letter with its QR code, and marks it "
        "ready for collection.",
    ),
    "action.issue_signer": ("Ditandatangani oleh", "Signed by"),
    "action.collected": ("Tandai sudah diambil", "Mark as collected"),
    "action.collected_hint": (
        "Catat siapa yang mengambil surat dan kapan.",
        "Record who collected the letter, and when.",
    ),
    "action.return": ("Kembalikan ke pemohon", "Send back to the applicant"),
    "action.return_hint": (
        "Permohonan belum lengkap atau salah: tuliskan apa yang harus diperbaiki pemohon.",
        "The application is incomplete or wrong: write what the applicant must fix.",
    ),
    "action.return_message": ("Pesan untuk pemohon", "Message for the applicant"),
    "action.reopen": ("Periksa ulang", "Check again"),
    "action.reopen_hint": (
        "Kembalikan ke tahap pemeriksaan.",
        "Take it back to the checking stage.",
    ),
    "action.reopen_message": ("Catatan (boleh kosong)", "Note (optional)"),
    "action.cancel": ("Batalkan permohonan", "Cancel the application"),
    "action.cancel_hint": (
        "Pembatalan bersifat final. Tuliskan alasannya.",
        "Cancelling is final. Give the reason.",
    ),
    "action.cancel_message": ("Alasan pembatalan", "Reason for cancelling"),
    "action.message_too_long": (
        "Pesan terlalu panjang (paling banyak 500 karakter).",
        "The message is too long (500 characters at most).",
    ),
    "collected.who": ("Diambil oleh", "Collected by"),
    "collected.self": ("Pemohon sendiri", "The applicant"),
    "collected.representative": ("Wakil / kuasa", "A representative"),
    "collected.representative_name": ("Nama wakil", "Representative's name"),
    "collected.at": ("Waktu pengambilan", "Collected at"),
    "collected.bad_time": (
        "Waktu pengambilan tidak dapat dibaca.",
        "The collection time could not be read.",
    ),
    "collected.time_out_of_range": (
        "Waktu pengambilan tidak boleh di masa depan atau sebelum permohonan diterima.",
        "The collection time cannot be in the future or before the application arrived.",
    ),
    "collected.name_required": (
        "Tuliskan nama wakil yang mengambil surat.",
        "Write the name of the representative who collected the letter.",
    ),
    "collected.name_too_long": (
        "Nama wakil terlalu panjang (paling banyak 100 karakter).",
        "The representative's name is too long (100 characters at most).",
    ),
    "collected.who_required": (
        "Pilih siapa yang mengambil surat.",
        "Choose who collected the letter.",
    ),
    "done.verify": (
        "Permohonan diverifikasi dan menunggu tanda tangan.",
        "The application is verified and waits for signature.",
    ),
    "done.issue": (
        "Surat diterbitkan dan siap diambil. Cetak surat sekarang.",
        "The letter is issued and ready for collection. Print it now.",
    ),
    "done.collected": ("Surat dicatat sudah diambil.", "The letter is recorded as collected."),
    "done.return": (
        "Permohonan dikembalikan ke pemohon dengan pesan Anda.",
        "The application was sent back to the applicant with your message.",
    ),
    "done.reopen": ("Permohonan kembali diperiksa.", "The application is being checked again."),
    "done.cancel": ("Permohonan dibatalkan.", "The application was cancelled."),
}


def text(code: str, lang: str = "id", **kw: Any) -> str:
    """The text `code` in `lang` ("id" or "en"), placeholders filled from `kw`."""
    pair = TEXTS[code]
    value = pair[1] if lang == "en" else pair[0]
    return value.format(**kw) if kw else value
