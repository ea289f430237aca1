# Node 3 of the docker-compose lab. Its data lives in the Consul cluster (through its own agent, consul-3); the HA
# lock too. TLS is off inside the lab's private network; a production listener names tls_cert_file/tls_key_file.
storage "consul" {
  address        = "consul-3:8500"
  path           = "strongroom/"
  lock_check_ttl = "3s"
  lock_delay     = "1s"
}

listener "tcp" {
  address         = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_disable     = true
}

api_addr     = "http://strongroom-3:8200"
cluster_addr = "https://strongroom-3:8201"
cluster_name = "strongroom-lab"

# A Node.js process cannot mlock its heap; the container runs without swap instead (see the README).
disable_mlock = true
log_level     = "info"
