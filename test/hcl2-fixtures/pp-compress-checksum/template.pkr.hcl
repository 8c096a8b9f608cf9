source "file" "a" {
  content = "some content to compress"
  target  = "a.txt"
}
build {
  sources = ["source.file.a"]
  post-processors {
    post-processor "compress" {
      output = "a.tar.gz"
      keep_input_artifact = true
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "sums.txt"
    }
  }
}
