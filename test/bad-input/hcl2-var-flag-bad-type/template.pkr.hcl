variable "n" {
  type = list(number)
}
source "null" "a" {
  communicator = "none"
}
