# unit tests: firmware/certificate
