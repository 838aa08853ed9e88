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

# --- complaints (backoffice.web.complaints) ---------------------------------------------------
TEXTS.update({
    "nav.complaints": ("Pengaduan", "Complaints"),
    "refused.complaint_not_found": (
        "Pengaduan ini tidak ditemukan di desa Anda. Kejadian ini dicatat.",
        "This complaint was not found in your village. This has been recorded.",
    ),
    "dur.m": ("{m} menit", "{m} min"),
    "dur.h": ("{h} jam", "{h} h"),
    "dur.hm": ("{h} jam {m} menit", "{h} h {m} min"),
    "dur.dh": ("{d} hari {h} jam", "{d} d {h} h"),
    "complaints.title": ("Pengaduan warga", "Complaints from villagers"),
    "complaints.promise": (
        "Setiap pengaduan dijawab paling lambat {hours} jam setelah diterima. Yang terlambat "
        "ada di paling atas.",
        "Every complaint is answered within {hours} hours of its receipt. Overdue ones are at "
        "the top.",
    ),
    "complaints.stats_link": ("Statistik waktu tanggap", "Response-time statistics"),
    "complaints.tabs": ("Saring pengaduan", "Filter complaints"),
    "complaints.show.all": ("Semua", "All"),
    "complaints.show.overdue": ("Terlambat", "Overdue"),
    "complaints.show.open": ("Belum dijawab", "Unanswered"),
    "complaints.show.answered": ("Sudah dijawab", "Answered"),
    "complaints.col.state": ("Keadaan", "State"),
    "complaints.col.number": ("No. pengaduan", "Complaint no."),
    "complaints.col.due": ("Batas jawab", "Answer by"),
    "complaints.col.category": ("Jenis pengaduan", "Kind of complaint"),
    "complaints.col.name": ("Pengadu", "Complainant"),
    "complaints.state.overdue": ("Terlambat {d}", "{d} overdue"),
    "complaints.state.open": ("Sisa {d}", "{d} left"),
    "complaints.state.answered": ("Dijawab dalam {d}", "Answered in {d}"),
    "complaints.state.answered_late": ("Dijawab terlambat, dalam {d}", "Answered late, in {d}"),
    "complaints.empty": ("Tidak ada pengaduan di sini.", "No complaints here."),
    "complaint.title": ("Pengaduan {number}", "Complaint {number}"),
    "complaint.back": ("Daftar pengaduan", "Complaints"),
    "complaint.not_in_registry": (
        "tidak ada di data penduduk",
        "not in the resident registry",
    ),
    "complaint.address": ("Alamat", "Address"),
    "complaint.dusun_rt_rw": ("Dusun {dusun}, RT {rt}/RW {rw}", "Dusun {dusun}, RT {rt}/RW {rw}"),
    "complaint.phone": ("Nomor HP", "Mobile number"),
    "complaint.no_phone": ("tidak diberikan", "not given"),
    "complaint.language": ("Bahasa di kios", "Language at the kiosk"),
    "complaint.language.id": ("Bahasa Indonesia", "Indonesian"),
    "complaint.language.en": ("Bahasa Inggris", "English"),
    "complaint.first_response": ("Tanggapan pertama", "First response"),
    "complaint.words": ("Isi pengaduan", "The complaint, in the villager's words"),
    "complaint.responses": ("Tanggapan", "Responses"),
    "complaint.no_responses": ("Belum ada tanggapan.", "No response yet."),
    "complaint.kind": ("Cara", "How"),
    "complaint.kind.phone": ("Lewat telepon", "By phone"),
    "complaint.kind.in_person": ("Bertemu langsung", "In person"),
    "complaint.kind.message": ("Lewat pesan (SMS/WA)", "By message (SMS/WhatsApp)"),
    "complaint.kind.note": ("Catatan internal", "Internal note"),
    "complaint.kind_choice.phone": ("Sudah dihubungi lewat telepon", "Contacted by phone"),
    "complaint.kind_choice.in_person": ("Sudah ditemui langsung", "Met in person"),
    "complaint.kind_choice.message": (
        "Sudah dikirimi pesan (SMS/WA)",
        "Sent a message (SMS/WhatsApp)",
    ),
    "complaint.kind_choice.note": (
        "Catatan internal saja (bukan tanggapan kepada pengadu: tidak menghentikan waktu)",
        "Internal note only (not a response to the complainant: does not stop the clock)",
    ),
    "complaint.first": ("tanggapan pertama", "first response"),
    "complaint.response_text": ("Isi tanggapan", "What was said or done"),
    "complaint.form_title_first": ("Catat tanggapan", "Record the response"),
    "complaint.form_title_more": ("Tambah tanggapan atau catatan", "Add a response or a note"),
    "complaint.form_hint": (
        "Dicatat atas nama {name}, dengan waktu sekarang. Tanggapan pertama kepada pengadu "
        "menghentikan hitungan waktu.",
        "Recorded as {name}, at the current time. The first response to the complainant stops "
        "the clock.",
    ),
    "complaint.submit": ("Simpan tanggapan", "Save the response"),
    "complaint.kind_required": (
        "Pilih cara menanggapi pengaduan.",
        "Choose how the complaint was answered.",
    ),
    "complaint.text_required": ("Tuliskan isi tanggapan.", "Write what was said or done."),
    "complaint.text_too_long": (
        "Tanggapan terlalu panjang (paling banyak 1000 karakter).",
        "The response is too long (1000 characters at most).",
    ),
    "complaint.done.first": (
        "Tanggapan pertama dicatat: hitungan waktu berhenti.",
        "The first response is recorded: the clock has stopped.",
    ),
    "complaint.done.contact": ("Tanggapan ditambahkan.", "The response was added."),
    "complaint.done.note": (
        "Catatan ditambahkan. Pengaduan belum dianggap dijawab bila belum ada tanggapan kepada "
        "pengadu.",
        "The note was added. Without a response to the complainant the complaint still counts "
        "as unanswered.",
    ),
    "cstats.title": ("Waktu tanggap pengaduan {year}", "Complaint response times {year}"),
    "cstats.years": ("Tahun", "Years"),
    "cstats.hint": (
        "Per bulan diterimanya pengaduan. Waktu tanggap: dari diterima sampai tanggapan pertama "
        "kepada pengadu. Tepat waktu: dijawab dalam {hours} jam, dari pengaduan yang sudah "
        "dijawab atau sudah lewat batas (yang masih berjalan belum dihitung).",
        "By the month a complaint arrived. Response time: from receipt to the first response to "
        "the complainant. On time: answered within {hours} hours, of the complaints answered or "
        "past their deadline (those still running are not counted yet).",
    ),
    "cstats.month": ("Bulan", "Month"),
    "cstats.received": ("Diterima", "Received"),
    "cstats.answered": ("Dijawab", "Answered"),
    "cstats.median": ("Median waktu tanggap", "Median response time"),
    "cstats.within": ("Tepat waktu (≤ {hours} jam)", "On time (≤ {hours} h)"),
    "cstats.overdue": ("Terlambat", "Overdue"),
    "cstats.pending": ("Masih berjalan", "Still running"),
    "cstats.total": ("Setahun", "Whole year"),
    "month.1": ("Januari", "January"),
    "month.2": ("Februari", "February"),
    "month.3": ("Maret", "March"),
    "month.4": ("April", "April"),
    "month.5": ("Mei", "May"),
    "month.6": ("Juni", "June"),
    "month.7": ("Juli", "July"),
    "month.8": ("Agustus", "August"),
    "month.9": ("September", "September"),
    "month.10": ("Oktober", "October"),
    "month.11": ("November", "November"),
    "month.12": ("Desember", "December"),
})


# --- the satisfaction survey (backoffice.web.satisfaction) ------------------------------------
TEXTS.update({
    "nav.skm": ("Survei kepuasan", "Satisfaction survey"),
    "skm.title": ("Survei Kepuasan Masyarakat (SKM)", "Public Satisfaction Survey (SKM)"),
    "skm.kind": ("Jenis periode", "Kind of period"),
    "skm.kind.month": ("Bulanan", "Monthly"),
    "skm.kind.quarter": ("Triwulan", "Quarterly"),
    "skm.kind.semester": ("Semester", "Half-yearly"),
    "skm.kind.year": ("Tahunan", "Yearly"),
    "skm.period": ("Periode", "Period"),
    "skm.period.quarter": ("Triwulan {n} {year}", "Quarter {n} {year}"),
    "skm.period.semester": ("Semester {n} {year}", "Half-year {n} {year}"),
    "skm.period.year": ("Tahun {year}", "Year {year}"),
    "skm.bad_period": (
        "Periode tidak dapat dibaca; ditampilkan semester ini.",
        "The period could not be read; this half-year is shown.",
    ),
    "skm.respondents": ("Responden", "Respondents"),
    "skm.ikm": ("Indeks Kepuasan Masyarakat (IKM)", "Satisfaction index (IKM)"),
    "skm.grade": ("Mutu pelayanan", "Service grade"),
    "skm.grade.A": ("Sangat baik", "Very good"),
    "skm.grade.B": ("Baik", "Good"),
    "skm.grade.C": ("Kurang baik", "Fair"),
    "skm.grade.D": ("Tidak baik", "Poor"),
    "skm.too_few": (
        "Baru {n} responden. Untuk {population} pengguna layanan pada periode ini (permohonan "
        "yang diterima), tabel Krejcie dan Morgan yang dirujuk PermenPANRB 14/2017 meminta "
        "paling sedikit {sample} responden: hasil ini belum mewakili.",
        "Only {n} respondents. For {population} service users in this period (applications "
        "received), the Krejcie and Morgan table PermenPANRB 14/2017 refers to asks for at "
        "least {sample}: this result is not yet representative.",
    ),
    "skm.none": (
        "Belum ada jawaban survei pada periode ini.",
        "No survey answers in this period yet.",
    ),
    "skm.elements_caption": ("Nilai per unsur, {period}", "Value per element, {period}"),
    "skm.col.code": ("Kode", "Code"),
    "skm.col.element": ("Unsur pelayanan", "Service element"),
    # (a word joiner around the dash, a no-break space after ×: a header never breaks there)
    "skm.col.mean": ("Nilai rata-rata (1\u2060–\u20604)", "Mean (1\u2060–\u20604)"),
    "skm.col.converted": ("Nilai konversi (×\u00a025)", "Converted (×\u00a025)"),
    "skm.col.day": ("Tanggal", "Date"),
    "skm.method": (
        "IKM = rata-rata nilai kesembilan unsur (bobot masing-masing 1/9) × 25, menurut "
        "PermenPANRB 14/2017. Mutu: A 88,31–100,00 (sangat baik); B 76,61–88,30 (baik); "
        "C 65,00–76,60 (kurang baik); D 25,00–64,99 (tidak baik).",
        "IKM = the mean of the nine elements' values (each weighted 1/9) × 25, per PermenPANRB "
        "14/2017. Grades: A 88.31–100.00 (very good); B 76.61–88.30 (good); C 65.00–76.60 "
        "(fair); D 25.00–64.99 (poor).",
    ),
    "skm.chart_title": (
        "Nilai rata-rata per unsur pelayanan, {period} (skala 1–4)",
        "Mean per service element, {period} (scale 1–4)",
    ),
    "skm.export_responses": ("Unduh semua jawaban (CSV)", "Download every response (CSV)"),
    "skm.export_summary": ("Unduh ringkasan (CSV)", "Download the summary (CSV)"),
    "skm.export_hint": (
        "Tanpa data pribadi: survei ini anonim. Setiap unduhan dicatat.",
        "No personal data: the survey is anonymous. Every download is recorded.",
    ),
    "skm.responses": ("Jawaban responden", "Responses"),
    "skm.responses_hint": (
        "Diurutkan menurut tanggal dan jenis surat, bukan urutan datang. Nilai 1 = tidak baik, "
        "4 = sangat baik.",
        "Ordered by date and letter type, not by arrival. 1 = poor, 4 = very good.",
    ),
    "skm.element.persyaratan": ("Persyaratan", "Requirements"),
    "skm.element.prosedur": (
        "Sistem, mekanisme, dan prosedur",
        "Systems, mechanisms and procedures",
    ),
    "skm.element.waktu": ("Waktu penyelesaian", "Completion time"),
    "skm.element.biaya": ("Biaya/tarif", "Cost/tariff"),
    "skm.element.produk": (
        "Produk spesifikasi jenis pelayanan",
        "What the service delivers",
    ),
    "skm.element.kompetensi": ("Kompetensi pelaksana", "Staff competence"),
    "skm.element.perilaku": ("Perilaku pelaksana", "Staff behaviour"),
    "skm.element.pengaduan": (
        "Penanganan pengaduan, saran dan masukan",
        "Handling of complaints and suggestions",
    ),
    "skm.element.sarana": ("Sarana dan prasarana", "Facilities"),
    "skm.short.persyaratan": ("Persyaratan", "Requirements"),
    "skm.short.prosedur": ("Prosedur", "Procedure"),
    "skm.short.waktu": ("Waktu", "Time"),
    "skm.short.biaya": ("Biaya", "Cost"),
    "skm.short.produk": ("Produk layanan", "Product"),
    "skm.short.kompetensi": ("Kompetensi", "Competence"),
    "skm.short.perilaku": ("Perilaku", "Behaviour"),
    "skm.short.pengaduan": ("Pengaduan", "Complaints"),
    "skm.short.sarana": ("Sarana", "Facilities"),
})


# --- the registry, the kiosk fleet, staff accounts (backoffice.web.registry, .fleet,
# .staff_admin, backoffice.desk_reader) ---------------------------------------------------------
TEXTS.update({
    "nav.residents": ("Penduduk", "Residents"),
    "nav.kiosks": ("Kios", "Kiosks"),
    "nav.accounts": ("Akun staf", "Staff accounts"),
    "refused.resident_not_found": (
        "Penduduk ini tidak ditemukan di desa Anda. Kejadian ini dicatat.",
        "This resident was not found in your village. This has been recorded.",
    ),
    "refused.kiosk_not_found": (
        "Kios ini tidak ditemukan di desa Anda. Kejadian ini dicatat.",
        "This kiosk was not found in your village. This has been recorded.",
    ),
    "refused.staff_not_found": (
        "Akun staf ini tidak ditemukan di desa Anda. Kejadian ini dicatat.",
        "This staff account was not found in your village. This has been recorded.",
    ),
    "registry.title": ("Data penduduk", "Residents"),
    "registry.back": ("Data penduduk", "Residents"),
    "registry.filters": ("Saringan", "Filters"),
    "registry.show.all": ("Semua", "All"),
    "registry.show.locked": ("PIN terkunci", "PIN locked"),
    "registry.show.no_card": ("Belum ada e-KTP", "No e-KTP bound"),
    "registry.show.no_pin": ("Belum ada PIN", "No PIN"),
    "registry.search": ("Cari nama, NIK atau No. KK", "Search name, NIK or family card no."),
    "registry.search_hint": ("mis. Siti atau 3510…", "e.g. Siti or 3510…"),
    "registry.search_button": ("Cari", "Search"),
    "registry.found": ("{n} penduduk", "{n} residents"),
    "registry.empty": ("Tidak ada penduduk yang cocok.", "No matching residents."),
    "registry.col.name": ("Nama", "Name"),
    "registry.dusun": ("Dusun", "Hamlet (dusun)"),
    "registry.rt_rw": ("RT/RW", "RT/RW"),
    "registry.card": ("e-KTP", "e-KTP"),
    "registry.pin": ("PIN", "PIN"),
    "registry.card_bound_short": ("terikat", "bound"),
    "registry.card_none_short": ("belum", "none"),
    "registry.card_none": ("belum ada e-KTP terikat", "no e-KTP bound"),
    "registry.card_bound_since": ("sejak {when}", "since {when}"),
    "registry.pin_none": ("belum diatur", "not set"),
    "registry.pin_set": ("aktif", "set"),
    "registry.pin_locked": ("terkunci", "locked"),
    "registry.pin_locked_hint": (
        "— tidak dapat dipakai di kios sampai dibuka di sini.",
        "— cannot be used at a kiosk until unlocked here.",
    ),
    "registry.pin_failures": ("{n} dari {max} kali salah", "{n} of {max} wrong"),
    "registry.pin_events": ("Percobaan PIN di kios luring, {days} hari terakhir",
                            "PIN attempts at offline kiosks, last {days} days"),
    "registry.pin_events_counts": ("{wrong} salah, {right} benar, {locked} mengunci kartu",
                                   "{wrong} wrong, {right} right, {locked} locked the card"),
    "registry.pin_events_last": ("terakhir {when}", "last {when}"),
    "registry.identity": ("Data identitas", "Identity"),
    "registry.born": ("Tempat, tanggal lahir", "Place and date of birth"),
    "registry.sex": ("Jenis kelamin", "Sex"),
    "registry.address": ("Alamat", "Address"),
    "registry.religion": ("Agama", "Religion"),
    "registry.marital_status": ("Status perkawinan", "Marital status"),
    "registry.occupation": ("Pekerjaan", "Occupation"),
    "registry.citizenship": ("Kewarganegaraan", "Citizenship"),
    "registry.family": ("Kartu keluarga dan rincian registri", "Family card and registry details"),
    "registry.family_card_number": ("Nomor KK", "Family card number (KK)"),
    "registry.family_relationship": ("Hubungan dalam keluarga", "Place in the family"),
    "registry.education": ("Pendidikan", "Education"),
    "registry.blood_type": ("Golongan darah", "Blood type"),
    "registry.details_hint": (
        "Pendidikan, golongan darah dan hubungan keluarga hanya untuk petugas; tidak pernah "
        "dikirim ke kios.",
        "Education, blood type and place in the family are for staff only; they are never "
        "sent to a kiosk.",
    ),
    "registry.card_and_pin": ("e-KTP dan PIN", "e-KTP and PIN"),
    "registry.bind": ("Ikat e-KTP", "Bind the e-KTP"),
    "registry.bind_replace": ("Ganti e-KTP", "Replace the e-KTP"),
    "registry.bind_hint": (
        "Cocokkan wajah penduduk dengan foto di e-KTP-nya. Letakkan e-KTP itu saja di pembaca "
        "kartu meja, lalu tekan tombol di bawah.",
        "Check the resident's face against the photo on their e-KTP. Lay only that e-KTP on "
        "the desk card reader, then press the button below.",
    ),
    "registry.readers": ("Pembaca kartu meja: {names}", "Desk card reader: {names}"),
    "registry.no_readers": (
        "Tidak ada pembaca kartu meja yang terhubung.",
        "No desk card reader is connected.",
    ),
    "registry.bind_button": ("Baca kartu dan ikat", "Read the card and bind it"),
    "registry.unbind": ("Lepas e-KTP", "Unbind the e-KTP"),
    "registry.unbind_hint": (
        "Kartu hilang, rusak atau diganti: kios tidak mengenalinya lagi.",
        "The card is lost, broken or replaced: kiosks will no longer recognise it.",
    ),
    "registry.unlock": ("Buka kunci PIN", "Unlock the PIN"),
    "registry.unlock_hint": (
        "Setelah memeriksa orangnya. Hitungan salah kembali nol di semua kios (saat kios "
        "menyinkronkan data).",
        "After checking the person. The wrong-PIN count goes back to zero on every kiosk (as "
        "each kiosk syncs).",
    ),
    "registry.set_pin": ("Ganti PIN", "Change the PIN"),
    "registry.set_pin_new": ("Atur PIN", "Set a PIN"),
    "registry.set_pin_hint": (
        "Penduduk sendiri mengetik PIN baru (6 angka) dua kali; petugas tidak melihat. PIN "
        "tidak pernah ditampilkan atau dicatat. Hitungan salah dan kunci ikut dihapus.",
        "The resident types the new PIN (6 digits) twice; staff look away. A PIN is never "
        "shown or logged. The wrong-PIN count and any lock are cleared too.",
    ),
    "registry.pin_new": ("PIN baru (6 angka)", "New PIN (6 digits)"),
    "registry.pin_again": ("Ulangi PIN baru", "New PIN again"),
    "registry.set_pin_button": ("Simpan PIN", "Save the PIN"),
    "registry.pin_format": (
        "PIN harus tepat 6 angka. Tidak ada yang disimpan.",
        "A PIN has exactly 6 digits. Nothing was saved.",
    ),
    "registry.pin_mismatch": (
        "Kedua PIN tidak sama. Tidak ada yang disimpan; silakan ketik lagi.",
        "The two PINs differ. Nothing was saved; please type them again.",
    ),
    "registry.no_card_bound": (
        "Penduduk ini tidak punya e-KTP terikat.",
        "This resident has no e-KTP bound.",
    ),
    "registry.no_pin": (
        "Penduduk ini belum punya PIN; atur PIN-nya.",
        "This resident has no PIN yet; set one.",
    ),
    "registry.applications": ("Permohonan penduduk ini", "This resident's applications"),
    "registry.no_applications": ("Belum ada permohonan.", "No applications yet."),
    "registry.done.bind_card": ("e-KTP terikat pada penduduk ini.",
                                "The e-KTP is bound to this resident."),
    "registry.done.bind_card_same": (
        "e-KTP ini sudah terikat pada penduduk ini; tidak ada yang berubah.",
        "This e-KTP was already bound to this resident; nothing changed.",
    ),
    "registry.done.unbind_card": ("e-KTP dilepas.", "The e-KTP is unbound."),
    "registry.done.set_pin": (
        "PIN baru disimpan; hitungan salah dan kunci dihapus.",
        "The new PIN is saved; the wrong-PIN count and any lock are cleared.",
    ),
    "registry.done.unlock_pin": (
        "Kunci PIN dibuka; hitungan salah kembali nol.",
        "The PIN is unlocked; the wrong-PIN count is back to zero.",
    ),
    "desk.no_reader": (
        "Pembaca kartu meja tidak terhubung (atau layanan kartu pcscd tidak berjalan). "
        "Periksa kabel USB-nya, lalu coba lagi.",
        "The desk card reader is not connected (or the pcscd card service is not running). "
        "Check its USB cable, then try again.",
    ),
    "desk.no_card": (
        "Tidak ada kartu di pembaca. Letakkan e-KTP di atas pembaca, lalu tekan lagi.",
        "There is no card on the reader. Lay the e-KTP on the reader, then press again.",
    ),
    "desk.not_ektp_sim_driving_licence": (
        "Kartu ini SIM (surat izin mengemudi), bukan e-KTP. Letakkan e-KTP penduduk.",
        "This card is a driving licence (SIM), not an e-KTP. Lay the resident's e-KTP.",
    ),
    "desk.not_ektp_bank_or_prepaid": (
        "Kartu ini kartu bank atau uang elektronik, bukan e-KTP. Letakkan e-KTP penduduk.",
        "This card is a bank or prepaid card, not an e-KTP. Lay the resident's e-KTP.",
    ),
    "desk.not_ektp_contact_card": (
        "Kartu ini kartu chip kontak, bukan e-KTP. Letakkan e-KTP penduduk di atas pembaca.",
        "This is a contact chip card, not an e-KTP. Lay the resident's e-KTP on the reader.",
    ),
    "desk.not_ektp_unknown": (
        "Kartu ini bukan e-KTP yang dikenali. Letakkan e-KTP penduduk.",
        "This card is not a recognised e-KTP. Lay the resident's e-KTP.",
    ),
    "desk.several_cards": (
        "Ada lebih dari satu e-KTP di pembaca. Sisakan kartu penduduk ini saja.",
        "More than one e-KTP is on the readers. Leave only this resident's card.",
    ),
    "desk.removed": (
        "Kartu terangkat saat dibaca. Letakkan lagi dan biarkan diam sampai selesai.",
        "The card moved away while being read. Lay it again and keep it still.",
    ),
    "desk.random_uid": (
        "Kartu ini memberi nomor acak setiap kali dibaca, jadi tidak dapat diikat.",
        "This card gives a random number on every read, so it cannot be bound.",
    ),
    "desk.unreadable": (
        "Kartu tidak dapat dibaca. Letakkan lagi di tengah pembaca, lalu coba lagi.",
        "The card could not be read. Lay it again in the middle of the reader and retry.",
    ),
    "desk.card_bound_elsewhere": (
        "Kartu ini sudah terikat pada penduduk lain. Lepaskan dulu di halaman penduduk itu.",
        "This card is already bound to another resident. Unbind it on their page first.",
    ),
    "desk.see_holder": ("Buka penduduk itu", "Open that resident"),
    "fleet.title": ("Kios desa", "Village kiosks"),
    "fleet.summary": ("{n} kios", "{n} kiosks"),
    "fleet.count.silent": ("{n} tanpa kabar > {minutes} menit",
                           "{n} silent > {minutes} minutes"),
    "fleet.count.never": ("{n} belum pernah berkabar", "{n} never heard from"),
    "fleet.count.attention": ("{n} perlu perhatian", "{n} need attention"),
    "fleet.count.ok": ("{n} normal", "{n} fine"),
    "fleet.col.state": ("Keadaan", "State"),
    "fleet.col.last": ("Kabar terakhir", "Last heartbeat"),
    "fleet.col.version": ("Versi", "Version"),
    "fleet.col.outbox": ("Antrean kirim", "Outbox"),
    "fleet.col.printer": ("Printer", "Printer"),
    "fleet.col.reader": ("Pembaca kartu", "Card reader"),
    "fleet.col.mode": ("Mode", "Mode"),
    "fleet.col.snapshot": ("Data luring", "Offline data"),
    "fleet.state.silent": ("Tanpa kabar {age}", "Silent for {age}"),
    "fleet.state.never": ("Belum pernah berkabar", "Never heard from"),
    "fleet.state.attention": ("Perlu perhatian", "Needs attention"),
    "fleet.state.ok": ("Normal", "Fine"),
    "fleet.state.revoked": ("Dicabut", "Revoked"),
    "fleet.note.printer": ("printer bermasalah", "printer trouble"),
    "fleet.note.reader": ("pembaca kartu tidak siap", "card reader not ready"),
    "fleet.note.set_aside": ("ada kiriman yang disisihkan", "items set aside in the outbox"),
    "fleet.note.outbox_old": ("kiriman tertahan lama", "items waiting long in the outbox"),
    "fleet.ago": ("{age} yang lalu", "{age} ago"),
    "fleet.never_heard": ("Belum pernah", "Never"),
    "fleet.outbox_pending": ("{n} menunggu", "{n} waiting"),
    "fleet.outbox_empty": ("kosong", "empty"),
    "fleet.outbox_oldest": ("terlama {age}", "oldest {age}"),
    "fleet.outbox_set_aside": ("{n} disisihkan", "{n} set aside"),
    "fleet.snapshot_age": ("umur {age}", "{age} old"),
    "fleet.pin_events_pending": ("{n} percobaan PIN belum terkirim",
                                 "{n} PIN attempts not yet sent"),
    "fleet.hint": (
        "Kios mengirim kabar setiap 30 detik. Kios tanpa kabar lebih dari {minutes} menit "
        "ditandai merah dan ditaruh paling atas. Antrean, printer, pembaca kartu dan data "
        "luring: menurut kabar terakhir kios itu.",
        "Kiosks send a heartbeat every 30 seconds. A kiosk silent for more than {minutes} "
        "minutes is marked red and listed first. Outbox, printer, card reader and offline "
        "data: as of that kiosk's last heartbeat.",
    ),
    "fleet.empty": ("Belum ada kios terdaftar untuk desa ini.",
                    "No kiosk is registered for this village yet."),
    "fleet.kiosk_title": ("Kios {id}", "Kiosk {id}"),
    "fleet.back": ("Semua kios", "All kiosks"),
    "fleet.details": ("Rincian kabar terakhir", "Last heartbeat in detail"),
    "fleet.token": ("Token kios", "Kiosk token"),
    "fleet.token_active": ("aktif", "active"),
    "fleet.token_revoked": ("dicabut: kantor menolak kios ini",
                            "revoked: the office refuses this kiosk"),
    "fleet.outbox_pending_label": ("Kiriman menunggu", "Items waiting"),
    "fleet.outbox_set_aside_label": ("Kiriman disisihkan", "Items set aside"),
    "fleet.outbox_oldest_label": ("Umur kiriman terlama", "Age of the oldest item"),
    "fleet.problems": ("Masalah printer", "Printer problems"),
    "fleet.no_problems": ("tidak ada", "none"),
    "fleet.snapshot_version": ("Versi data luring", "Offline data version"),
    "fleet.snapshot_age_label": ("Umur data luring", "Age of the offline data"),
    "fleet.pin_events_pending_label": ("Percobaan PIN luring belum terkirim",
                                       "Offline PIN attempts not yet sent"),
    "fleet.printer.ready": ("Siap", "Ready"),
    "fleet.printer.printing": ("Sedang mencetak", "Printing"),
    "fleet.printer.error": ("Bermasalah", "In trouble"),
    "fleet.printer.stopped": ("Berhenti", "Stopped"),
    "fleet.printer.missing": ("Tidak terhubung", "Not connected"),
    "fleet.printer.none": ("Tanpa printer", "No printer"),
    "fleet.problem.printer_missing": ("printer tidak ditemukan", "printer not found"),
    "fleet.problem.offline": ("printer mati atau luring", "printer off or offline"),
    "fleet.problem.paper_out": ("kertas habis", "paper out"),
    "fleet.problem.paper_jam": ("kertas macet", "paper jam"),
    "fleet.problem.cover_open": ("penutup terbuka", "cover open"),
    "fleet.problem.toner_out": ("tinta/toner habis", "ink/toner out"),
    "fleet.problem.toner_low": ("tinta/toner hampir habis", "ink/toner low"),
    "fleet.problem.other": ("masalah lain pada printer", "another printer problem"),
    "fleet.reader.ready": ("Siap", "Ready"),
    "fleet.reader.missing": ("Tidak terhubung", "Not connected"),
    "fleet.mode.online": ("Di tempat (daring)", "Fixed (online)"),
    "fleet.mode.mobile": ("Keliling (mobile)", "Mobile service"),
    "fleet.asleep": ("tidur: di luar jam layanan", "asleep: outside opening hours"),
    "fleet.age.seconds": ("{n} detik", "{n} s"),
    "fleet.age.minutes": ("{n} menit", "{n} min"),
    "fleet.age.hours": ("{h} jam {m} menit", "{h} h {m} min"),
    "fleet.age.hours_only": ("{h} jam", "{h} h"),
    "fleet.age.days": ("{n} hari", "{n} days"),
    "staff.title": ("Akun staf", "Staff accounts"),
    "staff.name": ("Nama", "Name"),
    "staff.role": ("Peran", "Role"),
    "staff.state": ("Keadaan", "State"),
    "staff.password_changed": ("Kata sandi diganti", "Password changed"),
    "staff.you": ("Anda", "you"),
    "staff.active": ("aktif", "active"),
    "staff.inactive": ("nonaktif", "inactive"),
    "staff.locked_until": ("terkunci sampai {when}", "locked until {when}"),
    "staff.failed_logins": ("{n} kali salah", "{n} wrong"),
    "staff.deactivate": ("Nonaktifkan", "Deactivate"),
    "staff.reactivate": ("Aktifkan lagi", "Reactivate"),
    "staff.unlock": ("Buka kunci", "Unlock"),
    "staff.reset_password": ("Atur ulang kata sandi", "Reset the password"),
    "staff.new_password": ("Kata sandi baru", "New password"),
    "staff.password_again": ("Ulangi kata sandi", "Password again"),
    "staff.reset_password_hint": (
        "Akun itu keluar dari semua perangkat dan kuncinya dibuka. Sampaikan kata sandi "
        "langsung kepada orangnya.",
        "That account is signed out everywhere and unlocked. Give the password to the "
        "person directly.",
    ),
    "staff.self_hint": (
        "Akun Anda sendiri: diubah oleh admin lain atau lewat baris perintah.",
        "Your own account: changed by another admin or on the command line.",
    ),
    "staff.add": ("Tambah akun", "Add an account"),
    "staff.username_hint": ("mis. rina.kemiren", "e.g. rina.kemiren"),
    "staff.initial_password": ("Kata sandi awal", "Initial password"),
    "staff.add_hint": (
        "Satu akun per orang. Kata sandi minimal {n} karakter; sampaikan langsung kepada "
        "orangnya, jangan lewat pesan.",
        "One account per person. The password needs at least {n} characters; give it to the "
        "person directly, not in a message.",
    ),
    "staff.add_button": ("Tambah akun", "Add the account"),
    "staff.password_mismatch": (
        "Kedua kata sandi tidak sama. Tidak ada yang disimpan.",
        "The two passwords differ. Nothing was saved.",
    ),
    "staff.refused_self": (
        "Anda tidak dapat menonaktifkan akun Anda sendiri. Kejadian ini dicatat.",
        "You cannot deactivate your own account. This has been recorded.",
    ),
    "staff.refused_self_password": (
        "Kata sandi Anda sendiri diatur ulang oleh admin lain atau lewat baris perintah "
        "(reset-staff-password).",
        "Your own password is reset by another admin or on the command line "
        "(reset-staff-password).",
    ),
    "staff.refused_last_admin": (
        "Ini admin aktif terakhir desa ini. Tambahkan atau aktifkan admin lain dulu.",
        "This is the village's last active admin. Add or reactivate another admin first.",
    ),
    "staff.refused_already_inactive": ("Akun ini sudah nonaktif.",
                                       "This account is already inactive."),
    "staff.refused_already_active": ("Akun ini sudah aktif.", "This account is already active."),
    "staff.refused_not_locked": ("Akun ini tidak terkunci.", "This account is not locked."),
    "staff.done.add_staff": (
        "Akun dibuat. Orangnya dapat masuk dengan kata sandi awal.",
        "The account is created. Its owner can sign in with the initial password.",
    ),
    "staff.done.deactivate_staff": (
        "Akun dinonaktifkan dan dikeluarkan dari semua perangkat.",
        "The account is deactivated and signed out everywhere.",
    ),
    "staff.done.reactivate_staff": ("Akun aktif lagi.", "The account is active again."),
    "staff.done.reset_password": (
        "Kata sandi diganti; akun itu keluar dari semua perangkat dan kuncinya dibuka.",
        "The password is reset; that account is signed out everywhere and unlocked.",
    ),
    "staff.done.unlock_staff": ("Kunci akun dibuka.", "The account is unlocked."),
})


def text(code: str, lang: str = "id", **kw: Any) -> str:
    """The text `code` in `lang` ("id" or "en"), placeholders filled from `kw`."""
    pair = TEXTS[code]
    value = pair[1] if lang == "en" else pair[0]
    return value.format(**kw) if kw else value
