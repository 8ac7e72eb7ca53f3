# The kiosk program end to end (tests/integration/kiosk_e2e.sh): one ctest per
# scenario, each with its own rig (pcscd + simulator + reference center) and,
# for the printing ones, its own ippeveprinter.
if(NOT TARGET kiosk OR NOT TARGET rig OR NOT TARGET kiosk-center OR NOT TARGET pinpad_ifd)
	return()
endif()
# memscan: reads a live process's memory for the privacy scenario
add_executable(memscan memscan.c)

foreach(scenario
		domestic overseas_ipp wrong_then_right wrong_until_blocked card_pulled_at_pin
		card_pulled_while_reading walk_away center_down center_drops_request
		printer_out_of_paper other_person not_participating privacy pinpad)
	add_test(NAME integration.kiosk_${scenario}
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/kiosk_e2e.sh $<TARGET_FILE:kiosk> $<TARGET_FILE:rig>
			${CMAKE_SOURCE_DIR}/tools/printer-rig/printer-rig.sh $<TARGET_FILE:memscan>
			${KIOSK_PERSONAS} ${CMAKE_SOURCE_DIR} ${scenario} $<TARGET_FILE:pinpad_ifd>)
	set_tests_properties(integration.kiosk_${scenario} PROPERTIES
		LABELS integration TIMEOUT 300
		ENVIRONMENT "${SCENARIO_ENV};KIOSK_SANITIZED=$<IF:$<BOOL:${KIOSK_SANITIZE}>,ON,OFF>")
endforeach()
