"""Plan-time read benchmarks: what one ``terraform plan`` costs the deployer (see bench/README.md)."""
