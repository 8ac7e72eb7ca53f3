# unit tests: firmware/center
kiosk_unit_test(center_http_test SOURCES unit/center_http_test.c LIBS kiosk_center)
kiosk_unit_test(center_json_test SOURCES unit/center_json_test.c LIBS kiosk_center)
kiosk_unit_test(center_client_test SOURCES unit/center_client_test.c LIBS kiosk_center NEEDS_PKI)
