# The center client against real TLS servers on loopback (openssl s_server with
# the TEST-ONLY center PKI): handshake refusals, resumption, timeouts, retries.
add_executable(center_tls_test center_tls_test.c)
target_link_libraries(center_tls_test PRIVATE kiosk_center PkgConfig::CMOCKA Threads::Threads)
add_dependencies(center_tls_test center_pki)
foreach(t
		good_server_and_resumption ip_literal_uses_ip_san version_and_suites untrusted_ca expired wrong_host
		client_cert_from_other_ca_refused handshake_timeout connect_timeout read_timeout_after_request
		oversized_answer dropped_mid_body busy_then_issued_same_request_id
		busy_twice_gives_up_after_one_retry timeout_then_issued_same_request_id
		answer_for_other_municipality_refused)
	add_test(NAME integration.center_tls_${t} COMMAND center_tls_test test_${t})
	set_tests_properties(integration.center_tls_${t} PROPERTIES
		LABELS integration TIMEOUT 120
		ENVIRONMENT "KIOSK_CENTER_PKI=${KIOSK_CENTER_PKI}")
endforeach()
