# unit tests: mynacard (kiosk_card). The tests also reach the module's
# internal headers (EF parsers, APDU builders, cert cache).
set(MNC_INTERNAL ${CMAKE_SOURCE_DIR}/firmware/mynacard)

kiosk_unit_test(tlv_test SOURCES unit/tlv_test.c LIBS kiosk_card)
kiosk_unit_test(mnc_validate_test SOURCES unit/mnc_validate_test.c LIBS kiosk_card)
kiosk_unit_test(mnc_atr_test SOURCES unit/mnc_atr_test.c LIBS kiosk_card)
kiosk_unit_test(mnc_apdu_test SOURCES unit/mnc_apdu_test.c LIBS kiosk_card)
kiosk_unit_test(mnc_anchors_test SOURCES unit/mnc_anchors_test.c LIBS kiosk_card)
kiosk_unit_test(mnc_chain_test SOURCES unit/mnc_chain_test.c LIBS kiosk_card)
kiosk_unit_test(mnc_session_test SOURCES unit/mnc_session_test.c LIBS kiosk_card)

foreach(t tlv_test mnc_validate_test mnc_atr_test mnc_apdu_test mnc_anchors_test
		mnc_chain_test mnc_session_test)
	target_include_directories(${t} PRIVATE ${MNC_INTERNAL})
endforeach()
