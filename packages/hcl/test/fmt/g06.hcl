variable "a" { default = 1 }
variable "b" {
  type = list(string)
  default = ["x","y"]
  validation {
    condition = length(var.b) > 0
    error_message = "The b value must not be empty."
  }
}
