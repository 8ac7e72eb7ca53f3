# unit tests: printer HAL (hal/printer): reason mapping, config, preview backend
if(TARGET kiosk_hal_printer)
	kiosk_unit_test(printer_core_test SOURCES unit/printer_core_test.c LIBS kiosk_hal_printer)
endif()
