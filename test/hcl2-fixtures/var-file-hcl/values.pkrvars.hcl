name  = "from-var-file"
sizes = [1, 2, 3]
labels = {
  env = "test"
}
