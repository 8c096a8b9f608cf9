variable "names" {
  default = ["x", "y"]
}
locals {
  text = <<-EOT
    header
    %{ for n in var.names ~}
    item ${n}
    %{ endfor ~}
    %{ if length(var.names) > 1 }many%{ else }few%{ endif }
  EOT
}
source "file" "a" {
  content = local.text
  target  = "out.txt"
}
build {
  sources = ["source.file.a"]
}
