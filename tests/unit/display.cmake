# unit tests: display HAL (hal/display): sdl on SDL's offscreen driver, tty over pipes
if(TARGET kiosk_hal_display)
	kiosk_unit_test(display_test SOURCES unit/display_test.c LIBS kiosk_hal_display)
	# the tty backend's fd setter is private to hal/display
	target_include_directories(display_test PRIVATE ${CMAKE_SOURCE_DIR}/hal/display)
	if(NOT TARGET kiosk_ui)
		# kiosk_screen_name() comes from firmware/ui; without it the test names screens
		target_compile_definitions(display_test PRIVATE DISPLAY_TEST_LOCAL_SCREEN_NAME)
	endif()
	set_property(TEST unit.display_test APPEND PROPERTY ENVIRONMENT SDL_VIDEODRIVER=offscreen)
endif()
