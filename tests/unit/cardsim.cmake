# unit tests: cardsim (the simulated My Number card, tools/cardsim). The card
# tests need the generated TEST PKI; cardsim_vpcd_test drives the real cardsim
# binary against a stand-in vpcd listener on loopback (no pcscd needed).
set(CARDSIM_INTERNAL_INC ${KIOSK_SOURCE_DIR}/tools/cardsim)
add_library(cardsim_fixture STATIC unit/cardsim_fixture.c)
target_link_libraries(cardsim_fixture PUBLIC cardsim_model PkgConfig::CMOCKA)
target_include_directories(cardsim_fixture PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/unit)

kiosk_unit_test(cardsim_apdu_test SOURCES unit/cardsim_apdu_test.c LIBS cardsim_model)
kiosk_unit_test(cardsim_persona_test SOURCES unit/cardsim_persona_test.c LIBS cardsim_model)
target_include_directories(cardsim_persona_test PRIVATE ${CARDSIM_INTERNAL_INC})
kiosk_unit_test(cardsim_files_test SOURCES unit/cardsim_files_test.c LIBS cardsim_fixture
	NEEDS_PKI)
kiosk_unit_test(cardsim_pin_test SOURCES unit/cardsim_pin_test.c LIBS cardsim_fixture NEEDS_PKI)
kiosk_unit_test(cardsim_commands_test SOURCES unit/cardsim_commands_test.c LIBS cardsim_fixture
	NEEDS_PKI)
kiosk_unit_test(cardsim_faults_test SOURCES unit/cardsim_faults_test.c LIBS cardsim_fixture
	NEEDS_PKI)
kiosk_unit_test(cardsim_vpcd_test SOURCES unit/cardsim_vpcd_test.c NEEDS_PKI)
target_compile_definitions(cardsim_vpcd_test PRIVATE CARDSIM_BIN="$<TARGET_FILE:cardsim>")
add_dependencies(cardsim_vpcd_test cardsim)
