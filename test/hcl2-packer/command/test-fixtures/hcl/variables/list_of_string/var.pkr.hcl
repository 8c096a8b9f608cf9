
variable "list_of_string" {
  type = list(string)
}
