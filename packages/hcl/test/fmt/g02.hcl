build {
  provisioner "shell" {
    inline = [<<EOF
echo hi
EOF
    ]
  }
  dynamic "x" {
    for_each = var.list
    content {
      a = x.value
    }
  }
}
