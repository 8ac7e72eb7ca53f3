# unit tests: firmware/core
kiosk_unit_test(core_vault_test SOURCES unit/core_vault_test.c LIBS kiosk_core)
kiosk_unit_test(core_msg_test SOURCES unit/core_msg_test.c LIBS kiosk_core)
kiosk_unit_test(core_board_test SOURCES unit/core_board_test.c LIBS kiosk_core)

# The card phase end to end in-process (sim backend + card model).
if(TARGET test_card_flow AND TARGET cardsim_model)
	kiosk_unit_test(card_flow_sim_test SOURCES unit/card_flow_sim_test.c
		LIBS test_card_flow cardsim_fixture NEEDS_PKI)
endif()
