# Issue 7, parts 1-2: kioskctl provision (unit key, CSR, certificate, signed
# anchor bundles) and kioskctl selftest on the simulated board.
if(NOT TARGET kioskctl)
	return()
endif()

add_test(NAME integration.kioskctl_provision
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/kioskctl_provision.sh $<TARGET_FILE:kioskctl>
		${KIOSK_PROVISION_PKI} ${KIOSK_CENTER_PKI} ${KIOSK_TEST_PKI})
set_tests_properties(integration.kioskctl_provision PROPERTIES LABELS integration TIMEOUT 120)

if(TARGET rig AND TARGET kiosk-center AND TARGET kiosk_hal_printer)
	add_test(NAME integration.kioskctl_selftest
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/kioskctl_selftest.sh $<TARGET_FILE:kioskctl>
			$<TARGET_FILE:rig> ${CMAKE_SOURCE_DIR}/tools/printer-rig/printer-rig.sh
			${CMAKE_SOURCE_DIR} ${KIOSK_CENTER_PKI})
	set_tests_properties(integration.kioskctl_selftest PROPERTIES
		LABELS integration TIMEOUT 400
		ENVIRONMENT "KIOSK_TEST_PKI=${KIOSK_TEST_PKI};KIOSK_PERSONAS=${KIOSK_PERSONAS}")
endif()
