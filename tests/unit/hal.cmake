# unit tests: hal
kiosk_unit_test(hal_part10_test SOURCES unit/hal_part10_test.c LIBS kiosk_hal)
kiosk_unit_test(hal_core_test SOURCES unit/hal_core_test.c LIBS kiosk_hal)
# The sim backend over the real card model (tools/cardsim) and the test PKI.
kiosk_unit_test(hal_sim_test SOURCES unit/hal_sim_test.c LIBS kiosk_hal cardsim_fixture NEEDS_PKI)
