variable "steps" {
  default = ["one", "two", "three"]
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  dynamic "provisioner" {
    for_each = var.steps
    labels   = ["shell-local"]
    content {
      inline = ["echo ${provisioner.key} ${provisioner.value} >> out.txt"]
    }
  }
}
