variable "x" {}
source "null" "a" {
  communicator = "none"
}
