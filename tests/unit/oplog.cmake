# unit tests: the operation log (firmware/core/oplog.c) and every board folder
# loading through the real loader (board/*/board.conf)
kiosk_unit_test(oplog_test SOURCES unit/oplog_test.c LIBS kiosk_core Threads::Threads)
kiosk_unit_test(boards_test SOURCES unit/boards_test.c LIBS kiosk_core)
# sim's @build@ paths expand to this build tree
target_compile_definitions(boards_test PRIVATE KIOSK_TEST_BUILD_DIR="${CMAKE_BINARY_DIR}")
