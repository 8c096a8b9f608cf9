locals {
  x = <<EOT
never ends
