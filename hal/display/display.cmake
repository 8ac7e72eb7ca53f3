# kiosk_hal_display: display/touch HAL core, sdl (SDL2 window, KMS/DRM on a
# kiosk, offscreen in tests; PNG screenshots with cairo) and tty backends.
add_library(kiosk_hal_display STATIC
	display/display_core.c
	display/display_sdl.c
	display/display_tty.c)
target_include_directories(kiosk_hal_display PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(kiosk_hal_display PUBLIC kiosk_core mbedtls_all PkgConfig::SDL2
	PkgConfig::CAIRO)
# kiosk_screen_name() (screenshot file names, tty headers) lives in the UI
# library; firmware/ is configured before hal/, so the target exists if built.
if(TARGET kiosk_ui)
	target_link_libraries(kiosk_hal_display PUBLIC kiosk_ui)
endif()
