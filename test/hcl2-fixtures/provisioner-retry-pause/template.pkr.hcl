source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    pause_before = "100ms"
    max_retries  = 3
    inline       = ["echo try >> tries.txt", "test $(wc -l < tries.txt) -ge 3"]
  }
}
