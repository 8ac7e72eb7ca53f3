# unit tests: the reference certificate center (tools/center) and the card
# evidence check it uses (mnc_verify_evidence). Included from tests/CMakeLists.txt.
add_library(refcenter_testcard STATIC unit/refcenter_card.c)
target_link_libraries(refcenter_testcard PUBLIC cardsim_model kiosk_card mbedtls_all
	PkgConfig::CJSON)
target_include_directories(refcenter_testcard
	PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/unit
	PRIVATE ${CMAKE_SOURCE_DIR}/firmware/mynacard)

kiosk_unit_test(mnc_evidence_test SOURCES unit/mnc_evidence_test.c LIBS refcenter_testcard
	NEEDS_PKI)

add_library(refcenter_verify STATIC unit/refcenter_verify.c)
target_link_libraries(refcenter_verify PUBLIC refcenter_core ZLIB::ZLIB)
target_include_directories(refcenter_verify PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/unit)

kiosk_unit_test(refcenter_center_test SOURCES unit/refcenter_center_test.c
	LIBS refcenter_verify refcenter_testcard NEEDS_PKI)
kiosk_unit_test(refcenter_parts_test SOURCES unit/refcenter_parts_test.c LIBS refcenter_core)
