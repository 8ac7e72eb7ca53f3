# The ipp printer backend against ippeveprinter (IPP Everywhere simulator) in
# tools/printer-rig: private dbus + avahi + printer in private mount and network
# namespaces, one rig per scenario (printer-state-reasons persist across jobs).
# A machine that cannot host the rig (exit 77) fails these tests: a skip must
# never pass for a print test that did not run.
if(NOT TARGET kiosk_hal_printer)
	return()
endif()

add_executable(printer_ipp_test printer_ipp_test.c)
target_link_libraries(printer_ipp_test PRIVATE kiosk_hal_printer cups_lib PkgConfig::CAIRO
	PkgConfig::CMOCKA)

set(PRINTER_RIG ${CMAKE_SOURCE_DIR}/tools/printer-rig/printer-rig.sh)
foreach(scenario
		print_completes media_empty media_jam door_open toner_empty offline unreachable
		job_timeout)
	add_test(NAME integration.printer_${scenario}
		COMMAND ${PRINTER_RIG} --timeout 120 -- $<TARGET_FILE:printer_ipp_test> ${scenario})
	set_tests_properties(integration.printer_${scenario} PROPERTIES
		LABELS integration TIMEOUT 180)
endforeach()
