variable "items" {
  default = ["apple", "banana", "cherry", "avocado"]
}
locals {
  upper   = [for s in var.items : upper(s)]
  a_only  = [for s in var.items : s if substr(s, 0, 1) == "a"]
  lengths = { for s in var.items : s => length(s) }
  grouped = { for s in var.items : substr(s, 0, 1) => s... }
  indexed = [for i, s in var.items : "${i}:${s}"]
  splat   = [for o in [{ n = 1 }, { n = 2 }] : o][*].n
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo '${jsonencode([local.upper, local.a_only, local.lengths, local.grouped, local.indexed, local.splat])}' > out.json"]
  }
}
