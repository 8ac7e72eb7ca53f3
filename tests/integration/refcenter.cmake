# Integration: the reference certificate center (tools/center) as a real HTTPS
# server on loopback, driven over real TLS with client certificates (curl).
# Included from tests/integration/CMakeLists.txt.
find_program(REFC_CURL curl REQUIRED)
if(NOT TARGET kiosk-center OR NOT TARGET refcenter_testcard OR NOT REFC_CURL)
	return()
endif()

add_executable(refcenter_tls ${CMAKE_CURRENT_SOURCE_DIR}/refcenter_tls.c)
target_link_libraries(refcenter_tls PRIVATE refcenter_verify refcenter_testcard
	PkgConfig::CMOCKA)
target_compile_definitions(refcenter_tls PRIVATE
	REFC_BIN="$<TARGET_FILE:kiosk-center>"
	REFC_FIXTURES="${CMAKE_SOURCE_DIR}/tools/center/fixtures")
add_dependencies(refcenter_tls kiosk-center test_pki center_pki)

add_test(NAME integration.refcenter_tls COMMAND refcenter_tls)
set_tests_properties(integration.refcenter_tls PROPERTIES LABELS integration TIMEOUT 300
	ENVIRONMENT "KIOSK_TEST_PKI=${KIOSK_TEST_PKI};KIOSK_CENTER_PKI=${KIOSK_CENTER_PKI};KIOSK_PERSONAS=${KIOSK_PERSONAS}")

# 50 concurrent kiosks on keep-alive TLS connections: no request lost or
# duplicated; prints issuances per second.
add_executable(refcenter_load ${CMAKE_CURRENT_SOURCE_DIR}/refcenter_load.c)
target_link_libraries(refcenter_load PRIVATE refcenter_testcard refcenter_core
	PkgConfig::GNUTLS Threads::Threads)
target_compile_definitions(refcenter_load PRIVATE
	REFC_BIN="$<TARGET_FILE:kiosk-center>"
	REFC_FIXTURES="${CMAKE_SOURCE_DIR}/tools/center/fixtures")
add_dependencies(refcenter_load kiosk-center test_pki center_pki)
add_test(NAME integration.refcenter_load COMMAND refcenter_load 50 4)
set_tests_properties(integration.refcenter_load PROPERTIES LABELS integration TIMEOUT 300
	ENVIRONMENT "KIOSK_TEST_PKI=${KIOSK_TEST_PKI};KIOSK_CENTER_PKI=${KIOSK_CENTER_PKI};KIOSK_PERSONAS=${KIOSK_PERSONAS}")

# Interoperability: the firmware's mbedTLS client (kiosk_center) against the
# GnuTLS reference center.
if(TARGET kiosk_center)
	add_executable(refcenter_interop ${CMAKE_CURRENT_SOURCE_DIR}/refcenter_interop.c)
	target_link_libraries(refcenter_interop PRIVATE kiosk_center refcenter_verify
		refcenter_testcard PkgConfig::CMOCKA)
	target_compile_definitions(refcenter_interop PRIVATE
		REFC_BIN="$<TARGET_FILE:kiosk-center>"
		REFC_FIXTURES="${CMAKE_SOURCE_DIR}/tools/center/fixtures")
	add_dependencies(refcenter_interop kiosk-center test_pki center_pki)
	add_test(NAME integration.refcenter_interop COMMAND refcenter_interop)
	set_tests_properties(integration.refcenter_interop PROPERTIES LABELS integration
		TIMEOUT 300 ENVIRONMENT
		"KIOSK_TEST_PKI=${KIOSK_TEST_PKI};KIOSK_CENTER_PKI=${KIOSK_CENTER_PKI};KIOSK_PERSONAS=${KIOSK_PERSONAS}")
endif()
