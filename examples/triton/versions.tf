terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0" # the e2e runs are 5.x; the module allows 6.x (README "Requirements")
    }
  }
}
