# The card phase through the stock libnfc pn532_uart driver against the PN532
# emulator (tools/pn532emu, in-process thread) and the cardsim card model.
if(TARGET pn532emu_core AND TARGET test_card_flow AND TARGET cardsim_fixture)
	add_executable(nfc_card_test nfc_card_test.c)
	target_link_libraries(nfc_card_test PRIVATE test_card_flow pn532emu_core cardsim_fixture
		PkgConfig::CMOCKA)
	target_compile_definitions(nfc_card_test PRIVATE PN532EMU_EXE="$<TARGET_FILE:pn532emu>")
	add_dependencies(nfc_card_test test_pki pn532emu)
	add_test(NAME integration.nfc_card COMMAND nfc_card_test)
	set_tests_properties(integration.nfc_card PROPERTIES LABELS integration TIMEOUT 300
		ENVIRONMENT "KIOSK_TEST_PKI=${KIOSK_TEST_PKI};KIOSK_PERSONAS=${KIOSK_PERSONAS};KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
