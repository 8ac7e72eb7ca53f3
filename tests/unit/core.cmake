# unit tests: firmware/core
kiosk_unit_test(core_vault_test SOURCES unit/core_vault_test.c LIBS kiosk_core)
kiosk_unit_test(core_msg_test SOURCES unit/core_msg_test.c LIBS kiosk_core)
kiosk_unit_test(core_board_test SOURCES unit/core_board_test.c LIBS kiosk_core)
