"""Proof by replay: every AWS call Terraform and the deployer made, checked against the CI policies."""
