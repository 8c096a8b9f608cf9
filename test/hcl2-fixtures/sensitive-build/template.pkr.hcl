variable "password" {
  type      = string
  default   = "hunter2-secret"
  sensitive = true
}
variable "token" {
  type      = string
  sensitive = true
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo the password is ${var.password} and ${var.token}"]
  }
}
