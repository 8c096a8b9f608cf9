variable "region" {
  type        = string
  default     = "us-east-1"
  description = "where"
}
variable "unset" {
  type = string
}
locals {
  l = "value"
}
source "null" "a" {
  communicator = "none"
}
source "file" "f" {
  content = "x"
  target = "x.txt"
}
build {
  name        = "b1"
  description = "first build"
  sources     = ["source.null.a", "source.file.f"]
  provisioner "shell-local" {
    inline = ["echo hi"]
  }
  post-processor "manifest" {}
  post-processors {
    post-processor "shell-local" {
      inline = ["true"]
    }
    post-processor "checksum" {}
  }
}
