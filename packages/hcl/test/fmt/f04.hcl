x = <<EOT
  hello ${name}
      world
EOT
y = <<-EOF
    indented
    EOF
z=1
