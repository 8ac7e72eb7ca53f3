# kiosk_hal_script: the scripted resident (QA, demo, end-to-end tests).
# rig_simctl is defined later (tools/rig); target_link_libraries resolves it at
# generate time, so the order of add_subdirectory() does not matter.
add_library(kiosk_hal_script STATIC ${CMAKE_CURRENT_LIST_DIR}/script.c)
target_include_directories(kiosk_hal_script PUBLIC ${CMAKE_CURRENT_LIST_DIR}/../include)
target_link_libraries(kiosk_hal_script PUBLIC kiosk_core PRIVATE rig_simctl)
# "card insert <name>" finds <name>.json here unless $KIOSK_PERSONAS says otherwise.
target_compile_definitions(kiosk_hal_script PRIVATE
	HAL_SCRIPT_PERSONA_DIR="${CMAKE_SOURCE_DIR}/tools/cardsim/personas")
