# unit tests: the PIN-pad path (PIN_VERIFY_STRUCTURE, false-pinpad table, HAL wrapper)
kiosk_unit_test(pinpad_test SOURCES unit/pinpad_test.c LIBS kiosk_card kiosk_hal)
