# kiosk: the program a resident uses (main + the services on the real parts).
# Included from the top level after hal/ (the display, audio and script backends).
if(TARGET kiosk_flow AND TARGET kiosk_print_step AND TARGET kiosk_hal_display
   AND TARGET kiosk_hal_audio AND TARGET kiosk_hal_script)
	add_executable(kiosk ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/services.c)
	target_link_libraries(kiosk PRIVATE kiosk_flow kiosk_ui kiosk_issuance kiosk_print_step
		kiosk_hal kiosk_hal_display kiosk_hal_audio kiosk_hal_script PkgConfig::SYSTEMD)
	# the sim board's voice prompts and trust material are made at build time
	add_dependencies(kiosk kiosk_prompts test_pki center_pki)
endif()
