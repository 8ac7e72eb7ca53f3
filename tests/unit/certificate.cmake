# unit tests: firmware/certificate (kiosk_certificate). Vectors are signed in
# the tests with the TEST-ONLY center PKI (cert_testkit.c).
add_library(cert_testkit STATIC unit/cert_testkit.c)
target_link_libraries(cert_testkit PUBLIC kiosk_certificate mbedtls_all PkgConfig::CJSON
	ZLIB::ZLIB)

kiosk_unit_test(cert_codec_test SOURCES unit/cert_codec_test.c LIBS kiosk_certificate)
kiosk_unit_test(cert_shc_test SOURCES unit/cert_shc_test.c LIBS cert_testkit NEEDS_PKI)
kiosk_unit_test(cert_vdsnc_test SOURCES unit/cert_vdsnc_test.c LIBS cert_testkit NEEDS_PKI)
kiosk_unit_test(cert_holder_test SOURCES unit/cert_holder_test.c LIBS kiosk_certificate)
