-- enclave databases (one per service)
CREATE DATABASE gateway;
CREATE DATABASE evidence;
