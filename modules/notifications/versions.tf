terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100" # 5.100 run here, 6.x schema-checked (README "Requirements"); minimum only
    }
  }
}
