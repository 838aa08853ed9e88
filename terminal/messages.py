"""Everything the kiosk says to a villager, in Indonesian, by code.

One plain sentence about what happened, then what to do next. Screens look texts up by
code; the session only ever carries codes and non-personal parameters. Indonesian is the
source language; the English translation is kept for Qt Linguist in ui/i18n/kiosk_en.ts
(`python -m ui.i18n update` after changing a text here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.catalogue import MONTHS_ID

TEXTS: dict[str, str] = {
    # notices (what happened + what to do)
    "not_ektp": "Kartu ini bukan e-KTP. Silakan ambil kartu ini dan tempelkan e-KTP Anda.",
    "card_unreadable": (
        "Kartu tidak terbaca. Angkat kartu, lalu tempelkan lagi dan tahan sampai selesai."
    ),
    "card_removed": (
        "Kartu diangkat, jadi data Anda sudah dihapus. Tempelkan e-KTP untuk mulai lagi."
    ),
    "card_mismatch": (
        "Data di chip e-KTP tidak cocok dengan data kartu ini di kantor desa. Silakan datang ke "
        "kantor desa."
    ),
    "idle_title": "Masih di sini?",
    "idle_warning": (
        "Sentuh layar untuk melanjutkan. Demi keamanan data Anda, isian akan dihapus dalam "
        "{seconds} detik."
    ),
    "idle_continue": "Saya masih di sini",
    "voice_idle": "Sentuh layar untuk melanjutkan, atau isian Anda akan dihapus.",
    "reading_card": "Sedang membaca e-KTP… Jangan angkat kartu.",
    "card_unknown": "e-KTP Anda belum terdaftar di kios ini. Silakan daftar di kantor desa.",
    "wrong_pin": "PIN salah. Coba lagi; sisa kesempatan: {attempts_left}.",
    "pin_locked": (
        "PIN terkunci karena salah 3 kali. Silakan datang ke kantor desa untuk membukanya."
    ),
    "pin_format": "PIN terdiri dari 6 angka. Silakan masukkan lagi.",
    "office_unreachable": (
        "Kantor desa sedang tidak dapat dihubungi. Silakan coba lagi beberapa saat lagi."
    ),
    "office_refused": (
        "Kantor desa menolak permintaan ini. Silakan tanyakan ke petugas kantor desa."
    ),
    "fix_fields": "Ada isian yang perlu diperbaiki. Lihat tulisan merah di bawah isian.",
    "save_failed": (
        "Permohonan belum dapat disimpan di kios ini. Silakan lapor ke petugas kantor desa."
    ),
    "disk_full": (
        "Kios ini sedang penuh sehingga permohonan tidak dapat disimpan. Silakan lapor ke "
        "petugas kantor desa atau datang lagi nanti; permohonan lain yang sudah tersimpan aman."
    ),
    "cancelled": "Permohonan dibatalkan dan data Anda sudah dihapus. Silakan ambil kartu Anda.",
    "take_card": "Silakan ambil kartu Anda.",
    "reader_missing": "Pembaca kartu tidak terhubung. Silakan beri tahu petugas kantor desa.",
    # screens
    "app_title": "Layanan Surat Desa Mandiri",
    "attract_tap": "Letakkan e-KTP Anda di atas pembaca kartu, dan biarkan di sana sampai selesai.",
    "attract_hours": "Tanpa antre, tanpa biaya. Surat diambil di kantor desa.",
    "language_other": "English",
    "step": "Langkah {step} dari {total}",
    "pin_title": "Masukkan PIN Anda (6 angka)",
    "pin_erase": "Hapus",
    "pin_ok": "Lanjut",
    "checking": "Sedang memeriksa data Anda…",
    "choose_title": "Pilih surat yang Anda perlukan",
    "greeting": "Selamat datang, {name}",
    "fill_title": "Lengkapi permohonan: {letter}",
    "fill_identity": "Data dari e-KTP dan Kartu Keluarga",
    "fill_next": "Lanjut",
    "optional": "boleh dikosongkan",
    "example": "contoh: {example}",
    # the staff maintenance screen (terminal/maintenance.py): counts and states, nothing personal
    "staff_title": "Perawatan kios (petugas)",
    "staff_pin": "Masukkan PIN petugas.",
    "staff_pin_wrong": "PIN petugas salah.",
    "staff_pin_locked": "Terlalu banyak PIN salah. Coba lagi dalam 5 menit.",
    "staff_kiosk": "Kios",
    "staff_readers": "Pembaca kartu",
    "staff_reader_ok": "siap",
    "staff_reader_missing": "tidak ditemukan",
    "staff_office": "Kantor desa",
    "staff_office_up": "terhubung",
    "staff_office_down": "tidak terhubung",
    "staff_outbox": "Antrean kirim",
    "staff_outbox_counts": "{pending} menunggu, {set_aside} disisihkan untuk petugas",
    "staff_oldest": "Tertua menunggu",
    "staff_minutes": "{minutes} menit",
    "staff_printer": "Printer",
    "staff_printer_none": "belum dipasang",
    "staff_printer_ready": "siap",
    "staff_printer_printing": "sedang mencetak",
    "staff_printer_stopped": "berhenti",
    "staff_printer_error": "bermasalah",
    "staff_printer_missing": "tidak ditemukan",
    "staff_problem_paper_out": "kertas habis",
    "staff_problem_paper_jam": "kertas tersangkut",
    "staff_problem_cover_open": "tutup terbuka",
    "staff_problem_toner_low": "tinta hampir habis",
    "staff_problem_toner_out": "tinta habis",
    "staff_problem_offline": "mati atau kabel lepas",
    "staff_problem_printer_missing": "layanan cetak (CUPS) tidak menjawab",
    "staff_problem_other": "masalah lain (lihat antrean CUPS)",
    "staff_unprinted": "Tanda terima belum tercetak",
    "staff_test_printer": "Tes pencetak",
    "staff_reprint": "Cetak tanda terima tertunda",
    "staff_printer_testing": "Mencetak halaman uji…",
    "staff_printer_test_ok": "Halaman uji tercetak.",
    "staff_printer_test_failed": "Halaman uji tidak tercetak: {problem}.",
    "staff_reprinted": "{count} tanda terima dikirim ke pencetak.",
    "staff_test_reader": "Tes pembaca kartu",
    "staff_checking": "Memeriksa…",
    "staff_state_failed": "Keadaan kios tidak dapat dibaca. Hubungi tim TI kabupaten "
    "(catatan: journalctl -u smart-kampung-kiosk).",
    "staff_set_aside": "Disisihkan (jawaban kantor)",
    "staff_set_aside_more": "dan {count} lagi",
    "staff_requeue": "Kirim ulang yang disisihkan",
    "staff_requeued": "{count} kiriman dikirim ulang ke kantor desa.",
    "staff_close": "Tutup",
    "staff_exit": "Keluar aplikasi",
    # on-screen keyboard: a sign first, for villagers who read little
    "key_shift": "⇧ Huruf besar",
    "key_caps": "⇪ KAPITAL",
    "key_backspace": "⌫ Hapus",
    "key_space": "Spasi",
    "key_newline": "↵ Baris baru",
    "key_next": "Berikutnya ↓",
    "review_title": "Periksa kembali: {letter}",
    "review_hint": "Jika sudah benar, tekan KIRIM. Jika ada yang salah, tekan KEMBALI.",
    "review_confirm": "KIRIM",
    # the application's pages shown as pictures on the review screen (ui/preview.py)
    "review_page_of": "Halaman {page} dari {pages}",
    "review_page_previous": "◀ Sebelumnya",
    "review_page_next": "Berikutnya ▶",
    "back": "Kembali",
    "cancel": "Batal",
    "receipt_title": "Terima kasih, permohonan Anda sudah tercatat",
    "application_number": "Nomor permohonan",
    "receipt_number": "Nomor permohonan Anda:",
    "receipt_hint": (
        "Catat atau foto nomor ini. Surat dapat diambil di kantor desa; bawa e-KTP Anda."
    ),
    "receipt_done": "Selesai",
    "message_ok": "Mengerti",
    "reader_ready": "Pembaca kartu siap",
    # receipt
    "receipt_delivered": "Permohonan sudah diterima kantor desa.",
    "receipt_queued": "Permohonan tersimpan di kios dan akan terkirim otomatis ke kantor desa.",
    "receipt_printing": "Tanda terima sedang dicetak…",
    "receipt_printed": "Ambil tanda terima Anda dari pencetak.",
    "receipt_printed_copy": "Ambil tanda terima dan salinan permohonan Anda dari pencetak.",
    # the printer could not print the receipt: what happened, then what to do (the number and
    # the QR code stay on screen; the application is safe in the outbox either way)
    "printer_paper_out": (
        "Kertas pencetak habis, jadi tanda terima belum tercetak. Foto kode QR ini atau catat "
        "nomor di atas. Permohonan Anda tetap tersimpan."
    ),
    "printer_paper_jam": (
        "Kertas tersangkut di pencetak, jadi tanda terima belum tercetak. Foto kode QR ini atau "
        "catat nomor di atas. Permohonan Anda tetap tersimpan."
    ),
    "printer_cover_open": (
        "Tutup pencetak terbuka, jadi tanda terima belum tercetak. Foto kode QR ini atau catat "
        "nomor di atas. Permohonan Anda tetap tersimpan."
    ),
    "printer_toner_out": (
        "Tinta pencetak habis, jadi tanda terima belum tercetak. Foto kode QR ini atau catat "
        "nomor di atas. Permohonan Anda tetap tersimpan."
    ),
    "printer_unavailable": (
        "Pencetak sedang tidak dapat dipakai, jadi tanda terima belum tercetak. Foto kode QR ini "
        "atau catat nomor di atas. Permohonan Anda tetap tersimpan."
    ),
    # voice guidance (ui/voice.py): its button, and what is spoken where a screen's own text
    # has a {placeholder} or reads badly aloud; nothing personal is ever spoken
    "voice_label": "Suara",
    "voice_pin": "Ketik PIN Anda, 6 angka, lalu tekan Lanjut.",
    "voice_wrong_pin": "PIN salah. Silakan ketik lagi.",
    "voice_fill": "Isi data yang diminta, lalu tekan Lanjut.",
    "voice_review": "Periksa kembali permohonan Anda.",
    # the villager's own requests and their status (the letter menu's status tile)
    "status_open": "Cek status permohonan saya",
    "status_open_hint": "Lihat apakah surat Anda sudah siap diambil",
    "status_title": "Status permohonan Anda",
    "status_checking": "Sedang menanyakan ke kantor desa…",
    "status_ready": "Surat Anda sudah siap. Silakan ambil di kantor desa dengan membawa e-KTP.",
    "status_applied": "Diajukan {date}",
    "status_ready_count": "{count} surat sudah siap diambil",
    "status_none_ready": "Belum ada surat yang siap diambil.",
    "status_message": "Pesan dari kantor desa: {message}",
    "status_none": "Belum ada permohonan atas nama Anda di kantor desa ini.",
    "status_offline": (
        "Status permohonan tidak dapat dilihat sekarang karena kantor desa tidak dapat "
        "dihubungi. Silakan coba lagi nanti, atau tanyakan di kantor desa."
    ),
    "status_refused": (
        "Status permohonan tidak dapat ditampilkan di kios ini. Silakan tanyakan di kantor desa."
    ),
    "status_done": "Terima kasih. Data Anda sudah dihapus dari kios ini.",
    "voice_status": "Ini daftar permohonan Anda. Surat yang sudah siap diambil ditandai hijau.",
    # complaints (pengaduan): the letter menu's complaint tile and its four screens
    "complaint_open": "Sampaikan pengaduan",
    "complaint_open_hint": "Ada yang kurang baik? Kami tanggapi paling lambat 4 jam",
    "complaint_title": "Pengaduan: tentang apa?",
    "complaint_in_name": (
        "Pengaduan dikirim atas nama Anda (NIK {nik}) agar petugas dapat menanggapi."
    ),
    "complaint_form_title": "Tulis pengaduan Anda: {category}",
    "complaint_text": "Isi pengaduan",
    "complaint_text_help": "paling banyak {max} huruf",
    "complaint_phone": "Nomor HP",
    "complaint_phone_help": "Agar petugas dapat menelepon Anda kembali.",
    "complaint_category": "Jenis pengaduan",
    "complaint_review_title": "Periksa kembali pengaduan Anda",
    "complaint_nik": "Atas nama NIK",
    "complaint_no_phone": "(tidak diisi)",
    "complaint_sent_title": "Terima kasih, pengaduan Anda sudah tercatat",
    "complaint_number": "Nomor pengaduan Anda:",
    "complaint_promise": (
        "Pengaduan Anda akan ditanggapi paling lambat 4 jam setelah diterima kantor desa."
    ),
    "complaint_delivered": "Pengaduan sudah diterima kantor desa.",
    "complaint_queued": "Pengaduan tersimpan di kios dan akan terkirim otomatis ke kantor desa.",
    "complaint_cancelled": (
        "Pengaduan dibatalkan dan data Anda sudah dihapus. Silakan ambil kartu Anda."
    ),
    "complaint_save_failed": (
        "Pengaduan belum dapat disimpan di kios ini. Silakan sampaikan langsung ke petugas "
        "kantor desa."
    ),
    "voice_complaint_category": "Pilih jenis pengaduan Anda.",
    "voice_complaint_form": "Tulis pengaduan Anda. Nomor HP boleh dikosongkan. Lalu tekan Lanjut.",
    "voice_complaint_review": "Periksa kembali pengaduan Anda. Jika sudah benar, tekan KIRIM.",
    # the satisfaction survey (SKM), offered on the receipt; anonymous
    "survey_offer": "Bantu kami menjadi lebih baik: jawab 9 pertanyaan singkat, tanpa nama.",
    "survey_start": "Ikut survei",
    "survey_skip": "Lewati survei",
    "survey_step": "Pertanyaan {step} dari {total}",
    "survey_previous": "◀ Sebelumnya",
    "survey_thanks": (
        "Terima kasih atas penilaian Anda. Jawaban Anda membantu kantor desa menjadi lebih baik."
    ),
    "survey_save_failed": (
        "Maaf, jawaban survei belum dapat disimpan di kios ini. Terima kasih atas waktu Anda."
    ),
    "voice_survey": (
        "Pilih satu jawaban: satu bintang tidak baik, empat bintang sangat baik. Survei ini boleh "
        "dilewati."
    ),
    # outside the opening hours ([kiosk] opening_hours): the sleep screen, dim and small, and
    # what a card or a touch there is told ({time} as the language writes it: 07.00 / 07:00)
    "sleep_hours": "Layanan buka pukul {time}",
    "sleep_hours_day": "Layanan buka hari {day} pukul {time}",
    "kiosk_closed": "Kios tutup.",
    "closed_opens_at": "Buka lagi pukul {time}.",
    "closed_opens_on": "Buka lagi hari {day} pukul {time}.",
    "voice_closed": "Silakan datang lagi pada jam buka yang tertulis di layar.",
}
# The nine SKM questions (forms.feedback, shared with the back office), one screen each.
# Month names for dates (the Indonesian ones are the letters' own, in forms.catalogue).
TEXTS.update({f"month_{n}": name for n, name in enumerate(MONTHS_ID, 1)})
# Day names (the sleep screen's "open again on Monday"), Monday first as date.isoweekday().
TEXTS.update({f"day_{n}": name for n, name in enumerate(
    ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"), 1)})


@dataclass(frozen=True)
class Notice:
    """A message for the villager: a code from TEXTS plus non-personal parameters.

    The screens put it into words, in the villager's language (ui.i18n)."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)
