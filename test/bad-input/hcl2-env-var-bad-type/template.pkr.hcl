variable "n" {
  type = number
}
source "null" "a" {
  communicator = "none"
}
