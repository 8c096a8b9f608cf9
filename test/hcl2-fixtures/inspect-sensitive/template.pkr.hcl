variable "plain" {
  default = "shown"
}
variable "secret" {
  default   = "s3cr3t-default"
  sensitive = true
}
variable "cli" {
  sensitive = true
}
variable "secret_list" {
  default   = ["l1st-element-secret"]
  sensitive = true
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
}
