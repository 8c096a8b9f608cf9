provisioner "shell" {
  environment_vars = [
    "FOO=${var.foo}",
  ]
  execute_command = "echo {{ .Vars }} && {{ .Path }}"
}
