# unit tests: firmware/center
