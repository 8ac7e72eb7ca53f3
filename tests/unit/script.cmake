# unit tests: the scripted resident (hal/input/script.c)
if(TARGET kiosk_hal_script)
	kiosk_unit_test(script_test SOURCES unit/script_test.c LIBS kiosk_hal_script)
endif()
