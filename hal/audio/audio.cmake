# kiosk_hal_audio: voice prompts. Core + null (records only) + sdl (SDL2 audio,
# ALSA on a kiosk, the dummy driver in tests).
add_library(kiosk_hal_audio STATIC
	audio/audio_core.c
	audio/audio_null.c
	audio/audio_sdl.c)
target_include_directories(kiosk_hal_audio PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(kiosk_hal_audio PUBLIC kiosk_core mbedtls_all PkgConfig::SDL2)

# The prompts: firmware/ui/prompts.tsv ("name<TAB>lang<TAB>text", '#' comments)
# spoken by espeak-ng into <build>/prompts/<name>.<lang>.wav, one command per
# file (built in parallel); editing the file re-reads the list and remakes them.
set(KIOSK_PROMPTS_TSV ${CMAKE_SOURCE_DIR}/firmware/ui/prompts.tsv)
set(KIOSK_PROMPTS_DIR ${CMAKE_BINARY_DIR}/prompts CACHE INTERNAL
	"where the build puts the voice prompts (hal_audio_config.prompts_dir)")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KIOSK_PROMPTS_TSV})
file(STRINGS ${KIOSK_PROMPTS_TSV} _prompt_lines ENCODING UTF-8)
set(_prompt_wavs)
foreach(_line IN LISTS _prompt_lines)
	if(_line STREQUAL "" OR _line MATCHES "^#")
		continue()
	endif()
	# a ';' in the text would split the CMake list and fail this match
	if(NOT _line MATCHES "^([a-z_]+)\t(ja|en)\t([^\t]+)$")
		message(FATAL_ERROR "prompts.tsv: bad line: ${_line}")
	endif()
	set(_name ${CMAKE_MATCH_1})
	set(_lang ${CMAKE_MATCH_2})
	set(_text ${CMAKE_MATCH_3})
	string(LENGTH "${_name}" _nlen)
	if(_nlen GREATER 20)
		message(FATAL_ERROR "prompts.tsv: name longer than 20: ${_name}")
	endif()
	if(_lang STREQUAL "en")
		set(_voice en-us)
	else()
		set(_voice ja)
	endif()
	set(_wav ${KIOSK_PROMPTS_DIR}/${_name}.${_lang}.wav)
	if(_wav IN_LIST _prompt_wavs)
		message(FATAL_ERROR "prompts.tsv: ${_name} ${_lang} listed twice")
	endif()
	add_custom_command(OUTPUT ${_wav}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${KIOSK_PROMPTS_DIR}
		# slower than the default 175 wpm: residents of all ages listen
		COMMAND ${ESPEAK_NG} -v ${_voice} -s 150 -w ${_wav} ${_text}
		DEPENDS ${KIOSK_PROMPTS_TSV}
		COMMENT "voice prompt ${_name}.${_lang}"
		VERBATIM)
	list(APPEND _prompt_wavs ${_wav})
endforeach()
add_custom_target(kiosk_prompts ALL DEPENDS ${_prompt_wavs})
