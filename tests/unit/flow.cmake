# unit tests: the issuance state machine (firmware/kiosk/flow.c) with fake services
if(TARGET kiosk_flow)
	kiosk_unit_test(flow_test SOURCES unit/flow_test.c LIBS kiosk_flow)
endif()
