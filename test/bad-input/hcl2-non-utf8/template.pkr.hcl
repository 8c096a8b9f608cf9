locals {
  x = "ÿþ"
}
