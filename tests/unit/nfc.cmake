# unit tests: the PN532 emulator (tools/pn532emu, built from tools/CMakeLists.txt).
if(TARGET pn532emu_core AND TARGET cardsim_fixture)
	kiosk_unit_test(pn532emu_test SOURCES unit/pn532emu_test.c
		LIBS pn532emu_core cardsim_fixture NEEDS_PKI)
endif()
