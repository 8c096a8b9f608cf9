variable "prefix" {
  default = "pkr"
}
locals {
  name   = "${var.prefix}-${local.suffix}"
  suffix = "x"
}
