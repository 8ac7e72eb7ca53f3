# unit tests: audio HAL (hal/audio): null records, sdl on SDL's dummy driver
# with the prompts the build made from firmware/ui/prompts.tsv
if(TARGET kiosk_hal_audio)
	kiosk_unit_test(audio_test SOURCES unit/audio_test.c LIBS kiosk_hal_audio)
	target_include_directories(audio_test PRIVATE ${CMAKE_SOURCE_DIR}/hal/audio)
	target_compile_definitions(audio_test PRIVATE
		KIOSK_PROMPTS_DIR="${KIOSK_PROMPTS_DIR}"
		KIOSK_PROMPTS_TSV="${CMAKE_SOURCE_DIR}/firmware/ui/prompts.tsv")
	add_dependencies(audio_test kiosk_prompts)
	set_property(TEST unit.audio_test APPEND PROPERTY ENVIRONMENT SDL_AUDIODRIVER=dummy)
endif()
