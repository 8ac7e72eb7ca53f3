# unit tests: firmware/render (kiosk_render). The page tests shell out to
# zbarimg (zbar-tools) and pdftotext (poppler-utils) on files in a private
# temporary directory holding fictional test data only.
kiosk_unit_test(render_qr_test SOURCES unit/render_qr_test.c LIBS kiosk_render)
kiosk_unit_test(render_page_test SOURCES unit/render_page_test.c LIBS kiosk_render)
