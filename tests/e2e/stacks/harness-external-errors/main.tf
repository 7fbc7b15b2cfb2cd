# One data "external" whose program misbehaves in the way `mode` asks (tests/e2e/test_harness.py).
terraform {
  required_version = ">= 1.5"

  required_providers {
    external = {
      source  = "hashicorp/external"
      version = ">= 2.3"
    }
  }
}

variable "python" {
  description = "Python interpreter that runs the program."
  type        = string
}

variable "mode" {
  description = "What the program does: see misbehave.py."
  type        = string
  default     = "ok"
}

variable "program" {
  description = "A program to run instead of misbehave.py."
  type        = list(string)
  default     = null
}

data "external" "this" {
  program = var.program != null ? var.program : [var.python, "${path.module}/misbehave.py", var.mode]
}

output "result" {
  description = "The program's result."
  value       = data.external.this.result
}
