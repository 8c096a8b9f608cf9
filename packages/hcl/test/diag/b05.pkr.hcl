x = "${foo"
