"""Everything the kiosk says to a villager, in Indonesian first and English.

One plain sentence about what happened, then what to do next. Screens look texts up by
code; the session only ever carries codes and non-personal parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from forms.catalogue import MONTHS_ID
from forms.feedback import ELEMENTS

TEXTS: dict[str, tuple[str, str]] = {
    # notices (what happened + what to do)
    "not_ektp": (
        "Kartu ini bukan e-KTP. Silakan ambil kartu ini dan tempelkan e-KTP Anda.",
        "This card is not an e-KTP. Please take it away and place your e-KTP instead.",
    ),
    "card_unreadable": (
        "Kartu tidak terbaca. Angkat kartu, lalu tempelkan lagi dan tahan sampai selesai.",
        "The card could not be read. Lift it, then place it again and keep it there.",
    ),
    "card_removed": (
        "Kartu diangkat, jadi data Anda sudah dihapus. Tempelkan e-KTP untuk mulai lagi.",
        "The card was taken away, so your data has been cleared. Place your e-KTP to start again.",
    ),
    "card_mismatch": (
        "Data di chip e-KTP tidak cocok dengan data kartu ini di kantor desa. Silakan datang ke "
        "kantor desa.",
        "The e-KTP chip does not match what the village office has for this card. Please visit "
        "the village office.",
    ),
    "idle_title": ("Masih di sini?", "Still there?"),
    "idle_warning": (
        "Sentuh layar untuk melanjutkan. Demi keamanan data Anda, isian akan dihapus dalam "
        "{seconds} detik.",
        "Touch the screen to carry on. To keep your data safe, this form will be cleared in "
        "{seconds} seconds.",
    ),
    "idle_continue": ("Saya masih di sini", "I am still here"),
    "voice_idle": (
        "Sentuh layar untuk melanjutkan, atau isian Anda akan dihapus.",
        "Touch the screen to carry on, or your form will be cleared.",
    ),
    "reading_card": (
        "Sedang membaca e-KTP… Jangan angkat kartu.",
        "Reading your e-KTP… Do not lift the card.",
    ),
    "card_unknown": (
        "e-KTP Anda belum terdaftar di kios ini. Silakan daftar di kantor desa.",
        "Your e-KTP is not registered for this kiosk yet. Please register at the village office.",
    ),
    "wrong_pin": (
        "PIN salah. Coba lagi; sisa kesempatan: {attempts_left}.",
        "Wrong PIN. Try again; attempts left: {attempts_left}.",
    ),
    "pin_locked": (
        "PIN terkunci karena salah 3 kali. Silakan datang ke kantor desa untuk membukanya.",
        "The PIN is locked after 3 wrong tries. Please visit the village office to unlock it.",
    ),
    "pin_format": (
        "PIN terdiri dari 6 angka. Silakan masukkan lagi.",
        "The PIN has 6 digits. Please enter it again.",
    ),
    "office_unreachable": (
        "Kantor desa sedang tidak dapat dihubungi. Silakan coba lagi beberapa saat lagi.",
        "The village office cannot be reached right now. Please try again in a little while.",
    ),
    "office_refused": (
        "Kantor desa menolak permintaan ini. Silakan tanyakan ke petugas kantor desa.",
        "The village office refused this request. Please ask the village office staff.",
    ),
    "fix_fields": (
        "Ada isian yang perlu diperbaiki. Lihat tulisan merah di bawah isian.",
        "Some answers need fixing. See the red text under them.",
    ),
    "save_failed": (
        "Permohonan belum dapat disimpan di kios ini. Silakan lapor ke petugas kantor desa.",
        "The application could not be saved on this kiosk. Please tell the village office staff.",
    ),
    "disk_full": (
        "Kios ini sedang penuh sehingga permohonan tidak dapat disimpan. Silakan lapor ke "
        "petugas kantor desa atau datang lagi nanti; permohonan lain yang sudah tersimpan aman.",
        "This kiosk is full, so the application cannot be saved. Please tell the village office "
        "staff or come back later; applications already saved are safe.",
    ),
    "cancelled": (
        "Permohonan dibatalkan dan data Anda sudah dihapus. Silakan ambil kartu Anda.",
        "The application was cancelled and your data cleared. Please take your card.",
    ),
    "take_card": ("Silakan ambil kartu Anda.", "Please take your card."),
    "reader_missing": (
        "Pembaca kartu tidak terhubung. Silakan beri tahu petugas kantor desa.",
        "The card reader is not connected. Please tell the village office staff.",
    ),
    # screens
    "app_title": ("Layanan Surat Desa Mandiri", "Village Letter Self-Service"),
    "attract_tap": (
        "Letakkan e-KTP Anda di atas pembaca kartu, dan biarkan di sana sampai selesai.",
        "Place your e-KTP on the card reader and leave it there until you are done.",
    ),
    "attract_hours": (
        "Tanpa antre, tanpa biaya. Surat diambil di kantor desa.",
        "No queue, no fee. Collect the letter at the village office.",
    ),
    "language_other": ("English", "Bahasa Indonesia"),
    "step": ("Langkah {step} dari {total}", "Step {step} of {total}"),
    "pin_title": ("Masukkan PIN Anda (6 angka)", "Enter your PIN (6 digits)"),
    "pin_erase": ("Hapus", "Erase"),
    "pin_ok": ("Lanjut", "Continue"),
    "checking": ("Sedang memeriksa data Anda…", "Checking your details…"),
    "choose_title": ("Pilih surat yang Anda perlukan", "Choose the letter you need"),
    "greeting": ("Selamat datang, {name}", "Welcome, {name}"),
    "fill_title": ("Lengkapi permohonan: {letter}", "Complete the application: {letter}"),
    "fill_identity": (
        "Data dari e-KTP dan Kartu Keluarga",
        "Details from your e-KTP and family card",
    ),
    "fill_next": ("Lanjut", "Continue"),
    "optional": ("boleh dikosongkan", "optional"),
    "example": ("contoh: {example}", "e.g. {example}"),
    # the staff maintenance screen (terminal/maintenance.py): counts and states, nothing personal
    "staff_title": ("Perawatan kios (petugas)", "Kiosk maintenance (staff)"),
    "staff_pin": ("Masukkan PIN petugas.", "Enter the staff PIN."),
    "staff_pin_wrong": ("PIN petugas salah.", "Wrong staff PIN."),
    "staff_pin_locked": (
        "Terlalu banyak PIN salah. Coba lagi dalam 5 menit.",
        "Too many wrong PINs. Try again in 5 minutes.",
    ),
    "staff_kiosk": ("Kios", "Kiosk"),
    "staff_readers": ("Pembaca kartu", "Card readers"),
    "staff_reader_ok": ("siap", "ready"),
    "staff_reader_missing": ("tidak ditemukan", "not found"),
    "staff_office": ("Kantor desa", "Village office"),
    "staff_office_up": ("terhubung", "connected"),
    "staff_office_down": ("tidak terhubung", "not connected"),
    "staff_outbox": ("Antrean kirim", "Waiting to send"),
    "staff_outbox_counts": (
        "{pending} menunggu, {set_aside} disisihkan untuk petugas",
        "{pending} waiting, {set_aside} set aside for staff",
    ),
    "staff_oldest": ("Tertua menunggu", "Oldest waiting"),
    "staff_minutes": ("{minutes} menit", "{minutes} minutes"),
    "staff_printer": ("Printer", "Printer"),
    "staff_printer_none": ("belum dipasang", "not set up"),
    "staff_test_reader": ("Tes pembaca kartu", "Test card reader"),
    "staff_close": ("Tutup", "Close"),
    "staff_exit": ("Keluar aplikasi", "Quit the app"),
    # on-screen keyboard: a sign first, for villagers who read little
    "key_shift": ("⇧ Huruf besar", "⇧ Shift"),
    "key_caps": ("⇪ KAPITAL", "⇪ CAPS"),
    "key_backspace": ("⌫ Hapus", "⌫ Erase"),
    "key_space": ("Spasi", "Space"),
    "key_newline": ("↵ Baris baru", "↵ New line"),
    "key_next": ("Berikutnya ↓", "Next field ↓"),
    "review_title": ("Periksa kembali: {letter}", "Check your application: {letter}"),
    "review_hint": (
        "Jika sudah benar, tekan KIRIM. Jika ada yang salah, tekan KEMBALI.",
        "If everything is right, press SEND. If something is wrong, press BACK.",
    ),
    "review_confirm": ("KIRIM", "SEND"),
    # the application's pages shown as pictures on the review screen (ui/preview.py)
    "review_page_of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "review_page_previous": ("◀ Sebelumnya", "◀ Previous"),
    "review_page_next": ("Berikutnya ▶", "Next ▶"),
    "back": ("Kembali", "Back"),
    "cancel": ("Batal", "Cancel"),
    "receipt_title": (
        "Terima kasih, permohonan Anda sudah tercatat",
        "Thank you, your application is recorded",
    ),
    "application_number": ("Nomor permohonan", "Application number"),
    "receipt_number": ("Nomor permohonan Anda:", "Your application number:"),
    "receipt_hint": (
        "Catat atau foto nomor ini. Surat dapat diambil di kantor desa; bawa e-KTP Anda.",
        "Note or photograph this number. Collect the letter at the village office with your "
        "e-KTP.",
    ),
    "receipt_done": ("Selesai", "Done"),
    "message_ok": ("Mengerti", "OK"),
    "reader_ready": ("Pembaca kartu siap", "Card reader ready"),
    # receipt
    "receipt_delivered": (
        "Permohonan sudah diterima kantor desa.",
        "The village office has received the application.",
    ),
    "receipt_queued": (
        "Permohonan tersimpan di kios dan akan terkirim otomatis ke kantor desa.",
        "The application is saved on this kiosk and will be sent to the village office "
        "automatically.",
    ),
    # voice guidance (ui/voice.py): its button, and what is spoken where a screen's own text
    # has a {placeholder} or reads badly aloud; nothing personal is ever spoken
    "voice_label": ("Suara", "Sound"),
    "voice_pin": (
        "Ketik PIN Anda, 6 angka, lalu tekan Lanjut.",
        "Type your PIN, 6 digits, then press Continue.",
    ),
    "voice_wrong_pin": ("PIN salah. Silakan ketik lagi.", "Wrong PIN. Please type it again."),
    "voice_fill": (
        "Isi data yang diminta, lalu tekan Lanjut.",
        "Fill in what is asked, then press Continue.",
    ),
    "voice_review": ("Periksa kembali permohonan Anda.", "Check your application."),
    # the villager's own requests and their status (the letter menu's status tile)
    "status_open": ("Cek status permohonan saya", "Check my requests"),
    "status_open_hint": (
        "Lihat apakah surat Anda sudah siap diambil",
        "See whether your letter is ready to collect",
    ),
    "status_title": ("Status permohonan Anda", "Your requests"),
    "status_checking": (
        "Sedang menanyakan ke kantor desa…",
        "Asking the village office…",
    ),
    "status_ready": (
        "Surat Anda sudah siap. Silakan ambil di kantor desa dengan membawa e-KTP.",
        "Your letter is ready. Please collect it at the village office and bring your e-KTP.",
    ),
    "status_applied": ("Diajukan {date}", "Applied on {date}"),
    "status_ready_count": ("{count} surat sudah siap diambil", "Ready to collect: {count}"),
    "status_none_ready": (
        "Belum ada surat yang siap diambil.",
        "No letter is ready to collect yet.",
    ),
    "status_message": ("Pesan dari kantor desa: {message}", "Message from the village office: "
                       "{message}"),
    "status_none": (
        "Belum ada permohonan atas nama Anda di kantor desa ini.",
        "There are no requests in your name at this village office yet.",
    ),
    "status_offline": (
        "Status permohonan tidak dapat dilihat sekarang karena kantor desa tidak dapat "
        "dihubungi. Silakan coba lagi nanti, atau tanyakan di kantor desa.",
        "Your requests cannot be checked now because the village office cannot be reached. "
        "Please try again later, or ask at the village office.",
    ),
    "status_refused": (
        "Status permohonan tidak dapat ditampilkan di kios ini. Silakan tanyakan di kantor desa.",
        "Your requests cannot be shown on this kiosk. Please ask at the village office.",
    ),
    "status_done": (
        "Terima kasih. Data Anda sudah dihapus dari kios ini.",
        "Thank you. Your details have been cleared from this kiosk.",
    ),
    "voice_status": (
        "Ini daftar permohonan Anda. Surat yang sudah siap diambil ditandai hijau.",
        "Here are your requests. Letters ready to collect are marked in green.",
    ),
    # complaints (pengaduan): the letter menu's complaint tile and its four screens
    "complaint_open": ("Sampaikan pengaduan", "Make a complaint"),
    "complaint_open_hint": (
        "Ada yang kurang baik? Kami tanggapi paling lambat 4 jam",
        "Something not right? We answer within 4 hours",
    ),
    "complaint_title": ("Pengaduan: tentang apa?", "Complaint: what is it about?"),
    "complaint_in_name": (
        "Pengaduan dikirim atas nama Anda (NIK {nik}) agar petugas dapat menanggapi.",
        "The complaint is sent in your name (NIK {nik}) so that staff can answer you.",
    ),
    "complaint_form_title": (
        "Tulis pengaduan Anda: {category}",
        "Write your complaint: {category}",
    ),
    "complaint_text": ("Isi pengaduan", "Your complaint"),
    "complaint_text_help": (
        "paling banyak {max} huruf",
        "at most {max} letters",
    ),
    "complaint_phone": ("Nomor HP", "Mobile number"),
    "complaint_phone_help": (
        "Agar petugas dapat menelepon Anda kembali.",
        "So that staff can call you back.",
    ),
    "complaint_category": ("Jenis pengaduan", "Kind of complaint"),
    "complaint_review_title": ("Periksa kembali pengaduan Anda", "Check your complaint"),
    "complaint_nik": ("Atas nama NIK", "In the name of NIK"),
    "complaint_no_phone": ("(tidak diisi)", "(not given)"),
    "complaint_sent_title": (
        "Terima kasih, pengaduan Anda sudah tercatat",
        "Thank you, your complaint is recorded",
    ),
    "complaint_number": ("Nomor pengaduan Anda:", "Your complaint number:"),
    "complaint_promise": (
        "Pengaduan Anda akan ditanggapi paling lambat 4 jam setelah diterima kantor desa.",
        "Your complaint will be answered within 4 hours of reaching the village office.",
    ),
    "complaint_delivered": (
        "Pengaduan sudah diterima kantor desa.",
        "The village office has received the complaint.",
    ),
    "complaint_queued": (
        "Pengaduan tersimpan di kios dan akan terkirim otomatis ke kantor desa.",
        "The complaint is saved on this kiosk and will be sent to the village office "
        "automatically.",
    ),
    "complaint_cancelled": (
        "Pengaduan dibatalkan dan data Anda sudah dihapus. Silakan ambil kartu Anda.",
        "The complaint was cancelled and your data cleared. Please take your card.",
    ),
    "complaint_save_failed": (
        "Pengaduan belum dapat disimpan di kios ini. Silakan sampaikan langsung ke petugas "
        "kantor desa.",
        "The complaint could not be saved on this kiosk. Please tell the village office staff "
        "in person.",
    ),
    "voice_complaint_category": (
        "Pilih jenis pengaduan Anda.",
        "Choose what your complaint is about.",
    ),
    "voice_complaint_form": (
        "Tulis pengaduan Anda. Nomor HP boleh dikosongkan. Lalu tekan Lanjut.",
        "Write your complaint. The mobile number may be left empty. Then press Continue.",
    ),
    "voice_complaint_review": (
        "Periksa kembali pengaduan Anda. Jika sudah benar, tekan KIRIM.",
        "Check your complaint. If it is right, press SEND.",
    ),
    # the satisfaction survey (SKM), offered on the receipt; anonymous
    "survey_offer": (
        "Bantu kami menjadi lebih baik: jawab 9 pertanyaan singkat, tanpa nama.",
        "Help us do better: answer 9 short questions, without your name.",
    ),
    "survey_start": ("Ikut survei", "Take the survey"),
    "survey_skip": ("Lewati survei", "Skip the survey"),
    "survey_step": ("Pertanyaan {step} dari {total}", "Question {step} of {total}"),
    "survey_previous": ("◀ Sebelumnya", "◀ Previous"),
    "survey_thanks": (
        "Terima kasih atas penilaian Anda. Jawaban Anda membantu kantor desa menjadi lebih baik.",
        "Thank you for your answers. They help the village office do better.",
    ),
    "survey_save_failed": (
        "Maaf, jawaban survei belum dapat disimpan di kios ini. Terima kasih atas waktu Anda.",
        "Sorry, the survey answers could not be saved on this kiosk. Thank you for your time.",
    ),
    "voice_survey": (
        "Pilih satu jawaban: satu bintang tidak baik, empat bintang sangat baik. Survei ini boleh "
        "dilewati.",
        "Choose one answer: one star is poor, four stars is very good. You may skip this survey.",
    ),
}
# The nine SKM questions (forms.feedback, shared with the back office), one screen each.
TEXTS.update({f"survey_{e.code}": (e.id, e.en) for e in ELEMENTS})


@dataclass(frozen=True)
class Notice:
    """A message for the villager: a code from TEXTS plus non-personal parameters."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)

    def text(self, language: str = "id") -> str:
        return text(self.code, language, **self.params)


def text(code: str, language: str = "id", **params) -> str:
    id_text, en_text = TEXTS[code]
    return (en_text if language == "en" else id_text).format(**params)


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_text(d: date, language: str = "id") -> str:
    """A date as villagers say it: ``25 November 2026`` (month names in the language)."""
    months = MONTHS_EN if language == "en" else MONTHS_ID
    return f"{d.day} {months[d.month - 1]} {d.year}"
