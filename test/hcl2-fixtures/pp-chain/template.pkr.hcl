source "file" "a" {
  content = "chain"
  target  = "a.txt"
}
build {
  sources = ["source.file.a"]
  post-processors {
    post-processor "shell-local" {
      inline = ["echo first >> chain.txt"]
    }
    post-processor "manifest" {
      output     = "manifest.json"
      strip_time = true
    }
  }
  post-processors {
    post-processor "shell-local" {
      keep_input_artifact = true
      inline              = ["echo second >> other.txt"]
    }
  }
  post-processor "shell-local" {
    inline = ["echo single >> single.txt"]
  }
}
