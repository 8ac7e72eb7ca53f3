# PIN-pad reader path (PC/SC part 10): firmware -> reader HAL (pcsc) ->
# libpcsclite -> the real pcscd -> tools/pinpad-ifd (virtual keypad reader,
# loaded through the rig's private reader.conf) -> tools/cardsim.
if(NOT TARGET pinpad_ifd)
	add_subdirectory(${CMAKE_SOURCE_DIR}/tools/pinpad-ifd ${CMAKE_BINARY_DIR}/tools/pinpad-ifd)
endif()

if(NOT TARGET rig OR NOT TARGET kiosk_card OR NOT TARGET kiosk_hal OR NOT TARGET test_card_flow)
	return()
endif()

# memscan searches the kiosk process in pin_not_in_kiosk_memory. Its own target:
# kiosk.cmake (included later, and only with the kiosk program) owns 'memscan'.
add_executable(pinpad_memscan memscan.c)

add_executable(pinpad_scenarios pinpad_test.c)
target_link_libraries(pinpad_scenarios PRIVATE test_card_flow rig_simctl PkgConfig::CMOCKA)
target_compile_definitions(pinpad_scenarios PRIVATE MEMSCAN_EXE="$<TARGET_FILE:pinpad_memscan>")
add_dependencies(pinpad_scenarios test_pki cardsim rig pinpad_ifd pinpad_memscan)

foreach(scenario happy_path_sfi happy_path_selected wrong_pin_costs_one_try keypad_timeout
		keypad_cancel blocked_card_no_keypad card_removed_while_typing removed_at_every_step
		mute_card_watchdog tampered_data pin_not_in_kiosk_memory)
	# foreign: SFI (P2 91); its My Number does not contain its PIN's digits.
	if(scenario STREQUAL "happy_path_sfi")
		set(persona foreign)
	elseif(scenario STREQUAL "happy_path_selected")
		set(persona no_sfi)
	elseif(scenario STREQUAL "blocked_card_no_keypad")
		set(persona blocked)
	elseif(scenario STREQUAL "pin_not_in_kiosk_memory")
		# keypad: a PIN no date, code or number on its card contains
		set(persona keypad)
	else()
		set(persona standard)
	endif()
	add_test(NAME integration.pinpad_${scenario}
		COMMAND ${CMAKE_COMMAND} -E env KIOSK_RIG_IFD_LIB=$<TARGET_FILE:pinpad_ifd>
			$<TARGET_FILE:rig> --persona ${persona} --timeout 240 --
			$<TARGET_FILE:pinpad_scenarios> ${scenario} ${persona})
	set_tests_properties(integration.pinpad_${scenario} PROPERTIES LABELS integration
		TIMEOUT 300 ENVIRONMENT
		"KIOSK_TEST_PKI=${KIOSK_TEST_PKI};KIOSK_PERSONAS=${KIOSK_PERSONAS}")
endforeach()
