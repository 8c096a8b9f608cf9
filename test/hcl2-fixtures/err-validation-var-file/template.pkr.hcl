variable "size" {
  type    = number
  default = 50
  validation {
    condition     = var.size > 10
    error_message = "The size must be more than 10."
  }
}
