<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="id_ID">
  <context>
    <name>kiosk</name>
    <message>
      <location filename="../../terminal/messages.py" line="17" />
      <source>Kartu ini bukan e-KTP. Silakan ambil kartu ini dan tempelkan e-KTP Anda.</source>
      <comment>not_ektp</comment>
      <translation>This card is not an e-KTP. Please take it away and place your e-KTP instead.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="18" />
      <source>Kartu tidak terbaca. Angkat kartu, lalu tempelkan lagi dan tahan sampai selesai.</source>
      <comment>card_unreadable</comment>
      <translation>The card could not be read. Lift it, then place it again and keep it there.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="21" />
      <source>Kartu diangkat, jadi data Anda sudah dihapus. Tempelkan e-KTP untuk mulai lagi.</source>
      <comment>card_removed</comment>
      <translation>The card was taken away, so your data has been cleared. Place your e-KTP to start again.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="24" />
      <source>Data di chip e-KTP tidak cocok dengan data kartu ini di kantor desa. Silakan datang ke kantor desa.</source>
      <comment>card_mismatch</comment>
      <translation>The e-KTP chip does not match what the village office has for this card. Please visit the village office.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="28" />
      <source>Masih di sini?</source>
      <comment>idle_title</comment>
      <translation>Still there?</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="29" />
      <source>Sentuh layar untuk melanjutkan. Demi keamanan data Anda, isian akan dihapus dalam {seconds} detik.</source>
      <comment>idle_warning</comment>
      <translation>Touch the screen to carry on. To keep your data safe, this form will be cleared in {seconds} seconds.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="33" />
      <source>Saya masih di sini</source>
      <comment>idle_continue</comment>
      <translation>I am still here</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="34" />
      <source>Sentuh layar untuk melanjutkan, atau isian Anda akan dihapus.</source>
      <comment>voice_idle</comment>
      <translation>Touch the screen to carry on, or your form will be cleared.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="35" />
      <source>Sedang membaca e-KTP… Jangan angkat kartu.</source>
      <comment>reading_card</comment>
      <translation>Reading your e-KTP… Do not lift the card.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="36" />
      <source>e-KTP Anda belum terdaftar di kios ini. Silakan daftar di kantor desa.</source>
      <comment>card_unknown</comment>
      <translation>Your e-KTP is not registered for this kiosk yet. Please register at the village office.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="37" />
      <source>PIN salah. Coba lagi; sisa kesempatan: {attempts_left}.</source>
      <comment>wrong_pin</comment>
      <translation>Wrong PIN. Try again; attempts left: {attempts_left}.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="38" />
      <source>PIN terkunci karena salah 3 kali. Silakan datang ke kantor desa untuk membukanya.</source>
      <comment>pin_locked</comment>
      <translation>The PIN is locked after 3 wrong tries. Please visit the village office to unlock it.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="41" />
      <source>PIN terdiri dari 6 angka. Silakan masukkan lagi.</source>
      <comment>pin_format</comment>
      <translation>The PIN has 6 digits. Please enter it again.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="42" />
      <source>Kantor desa sedang tidak dapat dihubungi. Silakan coba lagi beberapa saat lagi.</source>
      <comment>office_unreachable</comment>
      <translation>The village office cannot be reached right now. Please try again in a little while.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="45" />
      <source>Kantor desa menolak permintaan ini. Silakan tanyakan ke petugas kantor desa.</source>
      <comment>office_refused</comment>
      <translation>The village office refused this request. Please ask the village office staff.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="48" />
      <source>Ada isian yang perlu diperbaiki. Lihat tulisan merah di bawah isian.</source>
      <comment>fix_fields</comment>
      <translation>Some answers need fixing. See the red text under them.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="49" />
      <source>Permohonan belum dapat disimpan di kios ini. Silakan lapor ke petugas kantor desa.</source>
      <comment>save_failed</comment>
      <translation>The application could not be saved on this kiosk. Please tell the village office staff.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="52" />
      <source>Kios ini sedang penuh sehingga permohonan tidak dapat disimpan. Silakan lapor ke petugas kantor desa atau datang lagi nanti; permohonan lain yang sudah tersimpan aman.</source>
      <comment>disk_full</comment>
      <translation>This kiosk is full, so the application cannot be saved. Please tell the village office staff or come back later; applications already saved are safe.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="56" />
      <source>Permohonan dibatalkan dan data Anda sudah dihapus. Silakan ambil kartu Anda.</source>
      <comment>cancelled</comment>
      <translation>The application was cancelled and your data cleared. Please take your card.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="57" />
      <source>Silakan ambil kartu Anda.</source>
      <comment>take_card</comment>
      <translation>Please take your card.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="58" />
      <source>Pembaca kartu tidak terhubung. Silakan beri tahu petugas kantor desa.</source>
      <comment>reader_missing</comment>
      <translation>The card reader is not connected. Please tell the village office staff.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="60" />
      <source>Layanan Surat Desa Mandiri</source>
      <comment>app_title</comment>
      <translation>Village Letter Self-Service</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="61" />
      <source>Letakkan e-KTP Anda di atas pembaca kartu, dan biarkan di sana sampai selesai.</source>
      <comment>attract_tap</comment>
      <translation>Place your e-KTP on the card reader and leave it there until you are done.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="62" />
      <source>Tanpa antre, tanpa biaya. Surat diambil di kantor desa.</source>
      <comment>attract_hours</comment>
      <translation>No queue, no fee. Collect the letter at the village office.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="63" />
      <source>English</source>
      <comment>language_other</comment>
      <translation>Bahasa Indonesia</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="64" />
      <source>Langkah {step} dari {total}</source>
      <comment>step</comment>
      <translation>Step {step} of {total}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="65" />
      <source>Masukkan PIN Anda (6 angka)</source>
      <comment>pin_title</comment>
      <translation>Enter your PIN (6 digits)</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="66" />
      <source>Hapus</source>
      <comment>pin_erase</comment>
      <translation>Erase</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="67" />
      <source>Lanjut</source>
      <comment>pin_ok</comment>
      <translation>Continue</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="68" />
      <source>Sedang memeriksa data Anda…</source>
      <comment>checking</comment>
      <translation>Checking your details…</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="69" />
      <source>Pilih surat yang Anda perlukan</source>
      <comment>choose_title</comment>
      <translation>Choose the letter you need</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="70" />
      <source>Selamat datang, {name}</source>
      <comment>greeting</comment>
      <translation>Welcome, {name}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="71" />
      <source>Lengkapi permohonan: {letter}</source>
      <comment>fill_title</comment>
      <translation>Complete the application: {letter}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="72" />
      <source>Data dari e-KTP dan Kartu Keluarga</source>
      <comment>fill_identity</comment>
      <translation>Details from your e-KTP and family card</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="73" />
      <source>Lanjut</source>
      <comment>fill_next</comment>
      <translation>Continue</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="74" />
      <source>boleh dikosongkan</source>
      <comment>optional</comment>
      <translation>optional</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="75" />
      <source>contoh: {example}</source>
      <comment>example</comment>
      <translation>e.g. {example}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="77" />
      <source>Perawatan kios (petugas)</source>
      <comment>staff_title</comment>
      <translation>Kiosk maintenance (staff)</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="78" />
      <source>Masukkan PIN petugas.</source>
      <comment>staff_pin</comment>
      <translation>Enter the staff PIN.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="79" />
      <source>PIN petugas salah.</source>
      <comment>staff_pin_wrong</comment>
      <translation>Wrong staff PIN.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="80" />
      <source>Terlalu banyak PIN salah. Coba lagi dalam 5 menit.</source>
      <comment>staff_pin_locked</comment>
      <translation>Too many wrong PINs. Try again in 5 minutes.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="81" />
      <source>Kios</source>
      <comment>staff_kiosk</comment>
      <translation>Kiosk</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="82" />
      <source>Pembaca kartu</source>
      <comment>staff_readers</comment>
      <translation>Card readers</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="83" />
      <source>siap</source>
      <comment>staff_reader_ok</comment>
      <translation>ready</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="84" />
      <source>tidak ditemukan</source>
      <comment>staff_reader_missing</comment>
      <translation>not found</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="85" />
      <source>Kantor desa</source>
      <comment>staff_office</comment>
      <translation>Village office</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="86" />
      <source>terhubung</source>
      <comment>staff_office_up</comment>
      <translation>connected</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="87" />
      <source>tidak terhubung</source>
      <comment>staff_office_down</comment>
      <translation>not connected</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="88" />
      <source>Antrean kirim</source>
      <comment>staff_outbox</comment>
      <translation>Waiting to send</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="89" />
      <source>{pending} menunggu, {set_aside} disisihkan untuk petugas</source>
      <comment>staff_outbox_counts</comment>
      <translation>{pending} waiting, {set_aside} set aside for staff</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="90" />
      <source>Tertua menunggu</source>
      <comment>staff_oldest</comment>
      <translation>Oldest waiting</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="91" />
      <source>{minutes} menit</source>
      <comment>staff_minutes</comment>
      <translation>{minutes} minutes</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="92" />
      <source>Printer</source>
      <comment>staff_printer</comment>
      <translation>Printer</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="93" />
      <source>belum dipasang</source>
      <comment>staff_printer_none</comment>
      <translation>not set up</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="94" />
      <source>siap</source>
      <comment>staff_printer_ready</comment>
      <translation>ready</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="95" />
      <source>sedang mencetak</source>
      <comment>staff_printer_printing</comment>
      <translation>printing</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="96" />
      <source>berhenti</source>
      <comment>staff_printer_stopped</comment>
      <translation>stopped</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="97" />
      <source>bermasalah</source>
      <comment>staff_printer_error</comment>
      <translation>has a problem</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="98" />
      <source>tidak ditemukan</source>
      <comment>staff_printer_missing</comment>
      <translation>not found</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="99" />
      <source>kertas habis</source>
      <comment>staff_problem_paper_out</comment>
      <translation>out of paper</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="100" />
      <source>kertas tersangkut</source>
      <comment>staff_problem_paper_jam</comment>
      <translation>paper jam</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="101" />
      <source>tutup terbuka</source>
      <comment>staff_problem_cover_open</comment>
      <translation>cover open</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="102" />
      <source>tinta hampir habis</source>
      <comment>staff_problem_toner_low</comment>
      <translation>ink low</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="103" />
      <source>tinta habis</source>
      <comment>staff_problem_toner_out</comment>
      <translation>out of ink</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="104" />
      <source>mati atau kabel lepas</source>
      <comment>staff_problem_offline</comment>
      <translation>switched off or unplugged</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="105" />
      <source>layanan cetak (CUPS) tidak menjawab</source>
      <comment>staff_problem_printer_missing</comment>
      <translation>the print service (CUPS) does not answer</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="106" />
      <source>masalah lain (lihat antrean CUPS)</source>
      <comment>staff_problem_other</comment>
      <translation>another problem (see the CUPS queue)</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="107" />
      <source>Tanda terima belum tercetak</source>
      <comment>staff_unprinted</comment>
      <translation>Receipts not yet printed</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="108" />
      <source>Tes pencetak</source>
      <comment>staff_test_printer</comment>
      <translation>Test the printer</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="109" />
      <source>Cetak tanda terima tertunda</source>
      <comment>staff_reprint</comment>
      <translation>Print the waiting receipts</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="110" />
      <source>Mencetak halaman uji…</source>
      <comment>staff_printer_testing</comment>
      <translation>Printing a test page…</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="111" />
      <source>Halaman uji tercetak.</source>
      <comment>staff_printer_test_ok</comment>
      <translation>Test page printed.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="112" />
      <source>Halaman uji tidak tercetak: {problem}.</source>
      <comment>staff_printer_test_failed</comment>
      <translation>Test page not printed: {problem}.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="113" />
      <source>{count} tanda terima dikirim ke pencetak.</source>
      <comment>staff_reprinted</comment>
      <translation>{count} receipt(s) sent to the printer.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="114" />
      <source>Tes pembaca kartu</source>
      <comment>staff_test_reader</comment>
      <translation>Test card reader</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="115" />
      <source>Memeriksa…</source>
      <comment>staff_checking</comment>
      <translation>Checking…</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="116" />
      <source>Keadaan kios tidak dapat dibaca. Hubungi tim TI kabupaten (catatan: journalctl -u smart-kampung-kiosk).</source>
      <comment>staff_state_failed</comment>
      <translation>The kiosk's state could not be read. Call the district IT team (log: journalctl -u smart-kampung-kiosk).</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="118" />
      <source>Disisihkan (jawaban kantor)</source>
      <comment>staff_set_aside</comment>
      <translation>Set aside (the office's answer)</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="119" />
      <source>dan {count} lagi</source>
      <comment>staff_set_aside_more</comment>
      <translation>and {count} more</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="120" />
      <source>Kirim ulang yang disisihkan</source>
      <comment>staff_requeue</comment>
      <translation>Send the set-aside items again</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="121" />
      <source>{count} kiriman dikirim ulang ke kantor desa.</source>
      <comment>staff_requeued</comment>
      <translation>{count} items sent to the village office again.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="122" />
      <source>Tutup</source>
      <comment>staff_close</comment>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="123" />
      <source>Keluar aplikasi</source>
      <comment>staff_exit</comment>
      <translation>Quit the app</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="125" />
      <source>⇧ Huruf besar</source>
      <comment>key_shift</comment>
      <translation>⇧ Shift</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="126" />
      <source>⇪ KAPITAL</source>
      <comment>key_caps</comment>
      <translation>⇪ CAPS</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="127" />
      <source>⌫ Hapus</source>
      <comment>key_backspace</comment>
      <translation>⌫ Erase</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="128" />
      <source>Spasi</source>
      <comment>key_space</comment>
      <translation>Space</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="129" />
      <source>↵ Baris baru</source>
      <comment>key_newline</comment>
      <translation>↵ New line</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="130" />
      <source>Berikutnya ↓</source>
      <comment>key_next</comment>
      <translation>Next field ↓</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="131" />
      <source>Periksa kembali: {letter}</source>
      <comment>review_title</comment>
      <translation>Check your application: {letter}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="132" />
      <source>Jika sudah benar, tekan KIRIM. Jika ada yang salah, tekan KEMBALI.</source>
      <comment>review_hint</comment>
      <translation>If everything is right, press SEND. If something is wrong, press BACK.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="133" />
      <source>KIRIM</source>
      <comment>review_confirm</comment>
      <translation>SEND</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="135" />
      <source>Halaman {page} dari {pages}</source>
      <comment>review_page_of</comment>
      <translation>Page {page} of {pages}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="136" />
      <source>◀ Sebelumnya</source>
      <comment>review_page_previous</comment>
      <translation>◀ Previous</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="137" />
      <source>Berikutnya ▶</source>
      <comment>review_page_next</comment>
      <translation>Next ▶</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="138" />
      <source>Kembali</source>
      <comment>back</comment>
      <translation>Back</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="139" />
      <source>Batal</source>
      <comment>cancel</comment>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="140" />
      <source>Terima kasih, permohonan Anda sudah tercatat</source>
      <comment>receipt_title</comment>
      <translation>Thank you, your application is recorded</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="141" />
      <source>Nomor permohonan</source>
      <comment>application_number</comment>
      <translation>Application number</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="142" />
      <source>Nomor permohonan Anda:</source>
      <comment>receipt_number</comment>
      <translation>Your application number:</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="143" />
      <source>Catat atau foto nomor ini. Surat dapat diambil di kantor desa; bawa e-KTP Anda.</source>
      <comment>receipt_hint</comment>
      <translation>Note or photograph this number. Collect the letter at the village office with your e-KTP.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="146" />
      <source>Selesai</source>
      <comment>receipt_done</comment>
      <translation>Done</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="147" />
      <source>Mengerti</source>
      <comment>message_ok</comment>
      <translation>OK</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="148" />
      <source>Pembaca kartu siap</source>
      <comment>reader_ready</comment>
      <translation>Card reader ready</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="150" />
      <source>Permohonan sudah diterima kantor desa.</source>
      <comment>receipt_delivered</comment>
      <translation>The village office has received the application.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="151" />
      <source>Permohonan tersimpan di kios dan akan terkirim otomatis ke kantor desa.</source>
      <comment>receipt_queued</comment>
      <translation>The application is saved on this kiosk and will be sent to the village office automatically.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="152" />
      <source>Tanda terima sedang dicetak…</source>
      <comment>receipt_printing</comment>
      <translation>Printing your receipt…</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="153" />
      <source>Ambil tanda terima Anda dari pencetak.</source>
      <comment>receipt_printed</comment>
      <translation>Take your receipt from the printer.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="154" />
      <source>Ambil tanda terima dan salinan permohonan Anda dari pencetak.</source>
      <comment>receipt_printed_copy</comment>
      <translation>Take your receipt and your copy of the application from the printer.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="157" />
      <source>Kertas pencetak habis, jadi tanda terima belum tercetak. Foto kode QR ini atau catat nomor di atas. Permohonan Anda tetap tersimpan.</source>
      <comment>printer_paper_out</comment>
      <translation>The printer is out of paper, so no receipt was printed. Photograph this QR code or write down the number above. Your application is safely stored.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="161" />
      <source>Kertas tersangkut di pencetak, jadi tanda terima belum tercetak. Foto kode QR ini atau catat nomor di atas. Permohonan Anda tetap tersimpan.</source>
      <comment>printer_paper_jam</comment>
      <translation>Paper is stuck in the printer, so no receipt was printed. Photograph this QR code or write down the number above. Your application is safely stored.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="165" />
      <source>Tutup pencetak terbuka, jadi tanda terima belum tercetak. Foto kode QR ini atau catat nomor di atas. Permohonan Anda tetap tersimpan.</source>
      <comment>printer_cover_open</comment>
      <translation>The printer's cover is open, so no receipt was printed. Photograph this QR code or write down the number above. Your application is safely stored.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="169" />
      <source>Tinta pencetak habis, jadi tanda terima belum tercetak. Foto kode QR ini atau catat nomor di atas. Permohonan Anda tetap tersimpan.</source>
      <comment>printer_toner_out</comment>
      <translation>The printer is out of ink, so no receipt was printed. Photograph this QR code or write down the number above. Your application is safely stored.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="173" />
      <source>Pencetak sedang tidak dapat dipakai, jadi tanda terima belum tercetak. Foto kode QR ini atau catat nomor di atas. Permohonan Anda tetap tersimpan.</source>
      <comment>printer_unavailable</comment>
      <translation>The printer cannot be used right now, so no receipt was printed. Photograph this QR code or write down the number above. Your application is safely stored.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="179" />
      <source>Suara</source>
      <comment>voice_label</comment>
      <translation>Sound</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="180" />
      <source>Ketik PIN Anda, 6 angka, lalu tekan Lanjut.</source>
      <comment>voice_pin</comment>
      <translation>Type your PIN, 6 digits, then press Continue.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="181" />
      <source>PIN salah. Silakan ketik lagi.</source>
      <comment>voice_wrong_pin</comment>
      <translation>Wrong PIN. Please type it again.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="182" />
      <source>Isi data yang diminta, lalu tekan Lanjut.</source>
      <comment>voice_fill</comment>
      <translation>Fill in what is asked, then press Continue.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="183" />
      <source>Periksa kembali permohonan Anda.</source>
      <comment>voice_review</comment>
      <translation>Check your application.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="185" />
      <source>Cek status permohonan saya</source>
      <comment>status_open</comment>
      <translation>Check my requests</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="186" />
      <source>Lihat apakah surat Anda sudah siap diambil</source>
      <comment>status_open_hint</comment>
      <translation>See whether your letter is ready to collect</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="187" />
      <source>Status permohonan Anda</source>
      <comment>status_title</comment>
      <translation>Your requests</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="188" />
      <source>Sedang menanyakan ke kantor desa…</source>
      <comment>status_checking</comment>
      <translation>Asking the village office…</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="189" />
      <source>Surat Anda sudah siap. Silakan ambil di kantor desa dengan membawa e-KTP.</source>
      <comment>status_ready</comment>
      <translation>Your letter is ready. Please collect it at the village office and bring your e-KTP.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="190" />
      <source>Diajukan {date}</source>
      <comment>status_applied</comment>
      <translation>Applied on {date}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="191" />
      <source>{count} surat sudah siap diambil</source>
      <comment>status_ready_count</comment>
      <translation>Ready to collect: {count}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="192" />
      <source>Belum ada surat yang siap diambil.</source>
      <comment>status_none_ready</comment>
      <translation>No letter is ready to collect yet.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="193" />
      <source>Pesan dari kantor desa: {message}</source>
      <comment>status_message</comment>
      <translation>Message from the village office: {message}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="194" />
      <source>Belum ada permohonan atas nama Anda di kantor desa ini.</source>
      <comment>status_none</comment>
      <translation>There are no requests in your name at this village office yet.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="195" />
      <source>Status permohonan tidak dapat dilihat sekarang karena kantor desa tidak dapat dihubungi. Silakan coba lagi nanti, atau tanyakan di kantor desa.</source>
      <comment>status_offline</comment>
      <translation>Your requests cannot be checked now because the village office cannot be reached. Please try again later, or ask at the village office.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="199" />
      <source>Status permohonan tidak dapat ditampilkan di kios ini. Silakan tanyakan di kantor desa.</source>
      <comment>status_refused</comment>
      <translation>Your requests cannot be shown on this kiosk. Please ask at the village office.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="202" />
      <source>Terima kasih. Data Anda sudah dihapus dari kios ini.</source>
      <comment>status_done</comment>
      <translation>Thank you. Your details have been cleared from this kiosk.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="203" />
      <source>Ini daftar permohonan Anda. Surat yang sudah siap diambil ditandai hijau.</source>
      <comment>voice_status</comment>
      <translation>Here are your requests. Letters ready to collect are marked in green.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="205" />
      <source>Sampaikan pengaduan</source>
      <comment>complaint_open</comment>
      <translation>Make a complaint</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="206" />
      <source>Ada yang kurang baik? Kami tanggapi paling lambat 4 jam</source>
      <comment>complaint_open_hint</comment>
      <translation>Something not right? We answer within 4 hours</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="207" />
      <source>Pengaduan: tentang apa?</source>
      <comment>complaint_title</comment>
      <translation>Complaint: what is it about?</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="208" />
      <source>Pengaduan dikirim atas nama Anda (NIK {nik}) agar petugas dapat menanggapi.</source>
      <comment>complaint_in_name</comment>
      <translation>The complaint is sent in your name (NIK {nik}) so that staff can answer you.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="211" />
      <source>Tulis pengaduan Anda: {category}</source>
      <comment>complaint_form_title</comment>
      <translation>Write your complaint: {category}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="212" />
      <source>Isi pengaduan</source>
      <comment>complaint_text</comment>
      <translation>Your complaint</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="213" />
      <source>paling banyak {max} huruf</source>
      <comment>complaint_text_help</comment>
      <translation>at most {max} letters</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="214" />
      <source>Nomor HP</source>
      <comment>complaint_phone</comment>
      <translation>Mobile number</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="215" />
      <source>Agar petugas dapat menelepon Anda kembali.</source>
      <comment>complaint_phone_help</comment>
      <translation>So that staff can call you back.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="216" />
      <source>Jenis pengaduan</source>
      <comment>complaint_category</comment>
      <translation>Kind of complaint</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="217" />
      <source>Periksa kembali pengaduan Anda</source>
      <comment>complaint_review_title</comment>
      <translation>Check your complaint</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="218" />
      <source>Atas nama NIK</source>
      <comment>complaint_nik</comment>
      <translation>In the name of NIK</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="219" />
      <source>(tidak diisi)</source>
      <comment>complaint_no_phone</comment>
      <translation>(not given)</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="220" />
      <source>Terima kasih, pengaduan Anda sudah tercatat</source>
      <comment>complaint_sent_title</comment>
      <translation>Thank you, your complaint is recorded</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="221" />
      <source>Nomor pengaduan Anda:</source>
      <comment>complaint_number</comment>
      <translation>Your complaint number:</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="222" />
      <source>Pengaduan Anda akan ditanggapi paling lambat 4 jam setelah diterima kantor desa.</source>
      <comment>complaint_promise</comment>
      <translation>Your complaint will be answered within 4 hours of reaching the village office.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="225" />
      <source>Pengaduan sudah diterima kantor desa.</source>
      <comment>complaint_delivered</comment>
      <translation>The village office has received the complaint.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="226" />
      <source>Pengaduan tersimpan di kios dan akan terkirim otomatis ke kantor desa.</source>
      <comment>complaint_queued</comment>
      <translation>The complaint is saved on this kiosk and will be sent to the village office automatically.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="227" />
      <source>Pengaduan dibatalkan dan data Anda sudah dihapus. Silakan ambil kartu Anda.</source>
      <comment>complaint_cancelled</comment>
      <translation>The complaint was cancelled and your data cleared. Please take your card.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="230" />
      <source>Pengaduan belum dapat disimpan di kios ini. Silakan sampaikan langsung ke petugas kantor desa.</source>
      <comment>complaint_save_failed</comment>
      <translation>The complaint could not be saved on this kiosk. Please tell the village office staff in person.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="234" />
      <source>Pilih jenis pengaduan Anda.</source>
      <comment>voice_complaint_category</comment>
      <translation>Choose what your complaint is about.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="235" />
      <source>Tulis pengaduan Anda. Nomor HP boleh dikosongkan. Lalu tekan Lanjut.</source>
      <comment>voice_complaint_form</comment>
      <translation>Write your complaint. The mobile number may be left empty. Then press Continue.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="236" />
      <source>Periksa kembali pengaduan Anda. Jika sudah benar, tekan KIRIM.</source>
      <comment>voice_complaint_review</comment>
      <translation>Check your complaint. If it is right, press SEND.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="238" />
      <source>Bantu kami menjadi lebih baik: jawab 9 pertanyaan singkat, tanpa nama.</source>
      <comment>survey_offer</comment>
      <translation>Help us do better: answer 9 short questions, without your name.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="239" />
      <source>Ikut survei</source>
      <comment>survey_start</comment>
      <translation>Take the survey</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="240" />
      <source>Lewati survei</source>
      <comment>survey_skip</comment>
      <translation>Skip the survey</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="241" />
      <source>Pertanyaan {step} dari {total}</source>
      <comment>survey_step</comment>
      <translation>Question {step} of {total}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="242" />
      <source>◀ Sebelumnya</source>
      <comment>survey_previous</comment>
      <translation>◀ Previous</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="243" />
      <source>Terima kasih atas penilaian Anda. Jawaban Anda membantu kantor desa menjadi lebih baik.</source>
      <comment>survey_thanks</comment>
      <translation>Thank you for your answers. They help the village office do better.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="246" />
      <source>Maaf, jawaban survei belum dapat disimpan di kios ini. Terima kasih atas waktu Anda.</source>
      <comment>survey_save_failed</comment>
      <translation>Sorry, the survey answers could not be saved on this kiosk. Thank you for your time.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="249" />
      <source>Pilih satu jawaban: satu bintang tidak baik, empat bintang sangat baik. Survei ini boleh dilewati.</source>
      <comment>voice_survey</comment>
      <translation>Choose one answer: one star is poor, four stars is very good. You may skip this survey.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="255" />
      <source>Layanan buka pukul {time}</source>
      <comment>sleep_hours</comment>
      <translation>Open from {time}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="256" />
      <source>Layanan buka hari {day} pukul {time}</source>
      <comment>sleep_hours_day</comment>
      <translation>Open on {day} from {time}</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="257" />
      <source>Kios tutup.</source>
      <comment>kiosk_closed</comment>
      <translation>The kiosk is closed.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="258" />
      <source>Buka lagi pukul {time}.</source>
      <comment>closed_opens_at</comment>
      <translation>Open again at {time}.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="259" />
      <source>Buka lagi hari {day} pukul {time}.</source>
      <comment>closed_opens_on</comment>
      <translation>Open again on {day} at {time}.</translation>
    </message>
    <message>
      <location filename="../../terminal/messages.py" line="260" />
      <source>Silakan datang lagi pada jam buka yang tertulis di layar.</source>
      <comment>voice_closed</comment>
      <translation>Please come back at the opening time shown on the screen.</translation>
    </message>
    <message>
      <source>Januari</source>
      <comment>month_1</comment>
      <translation>January</translation>
    </message>
    <message>
      <source>Februari</source>
      <comment>month_2</comment>
      <translation>February</translation>
    </message>
    <message>
      <source>Maret</source>
      <comment>month_3</comment>
      <translation>March</translation>
    </message>
    <message>
      <source>April</source>
      <comment>month_4</comment>
      <translation>April</translation>
    </message>
    <message>
      <source>Mei</source>
      <comment>month_5</comment>
      <translation>May</translation>
    </message>
    <message>
      <source>Juni</source>
      <comment>month_6</comment>
      <translation>June</translation>
    </message>
    <message>
      <source>Juli</source>
      <comment>month_7</comment>
      <translation>July</translation>
    </message>
    <message>
      <source>Agustus</source>
      <comment>month_8</comment>
      <translation>August</translation>
    </message>
    <message>
      <source>September</source>
      <comment>month_9</comment>
      <translation>September</translation>
    </message>
    <message>
      <source>Oktober</source>
      <comment>month_10</comment>
      <translation>October</translation>
    </message>
    <message>
      <source>November</source>
      <comment>month_11</comment>
      <translation>November</translation>
    </message>
    <message>
      <source>Desember</source>
      <comment>month_12</comment>
      <translation>December</translation>
    </message>
    <message>
      <source>Senin</source>
      <comment>day_1</comment>
      <translation>Monday</translation>
    </message>
    <message>
      <source>Selasa</source>
      <comment>day_2</comment>
      <translation>Tuesday</translation>
    </message>
    <message>
      <source>Rabu</source>
      <comment>day_3</comment>
      <translation>Wednesday</translation>
    </message>
    <message>
      <source>Kamis</source>
      <comment>day_4</comment>
      <translation>Thursday</translation>
    </message>
    <message>
      <source>Jumat</source>
      <comment>day_5</comment>
      <translation>Friday</translation>
    </message>
    <message>
      <source>Sabtu</source>
      <comment>day_6</comment>
      <translation>Saturday</translation>
    </message>
    <message>
      <source>Minggu</source>
      <comment>day_7</comment>
      <translation>Sunday</translation>
    </message>
  </context>
</TS>
