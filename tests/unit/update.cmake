# unit tests: signed firmware images (firmware/update): manifest codec, tamper
# matrix, power loss, install -> boot -> mark-good, rollback, U-Boot backend
kiosk_unit_test(update_test SOURCES unit/update_test.c LIBS kiosk_update)
add_dependencies(update_test release_pki)
target_compile_definitions(update_test PRIVATE UPDATE_TEST_PKI="${KIOSK_RELEASE_PKI}")
