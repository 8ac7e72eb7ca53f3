# kioskctl image end to end: build, inspect, install into file-backed slots,
# "reboot" (image boot), mark-good, refusals, power cut, rollback.
if(NOT TARGET kioskctl OR NOT TARGET kiosk_update)
	return()
endif()
add_test(NAME integration.kioskctl_image
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/kioskctl_image.sh $<TARGET_FILE:kioskctl>
		${KIOSK_RELEASE_PKI})
set_tests_properties(integration.kioskctl_image PROPERTIES LABELS integration TIMEOUT 300)
