# unit tests: firmware/ui (kiosk_ui). Every screen is also written as PNG to
# ${CMAKE_BINARY_DIR}/screens/<name>-<lang>.png for a look (fictional data only).
if(TARGET kiosk_ui)
	kiosk_unit_test(ui_test SOURCES unit/ui_test.c LIBS kiosk_ui)
	target_include_directories(ui_test PRIVATE ${CMAKE_SOURCE_DIR}/firmware/ui)
	target_compile_definitions(ui_test PRIVATE UI_SCREENS_DIR="${CMAKE_BINARY_DIR}/screens")
	file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/screens)
endif()
