variable "pw" {
  default   = "sup3r-s3cret"
  sensitive = true
}
source "file" "a" {
  source = "${var.pw}.txt"
  target = "out.txt"
}
build {
  sources = ["source.file.a"]
}
