build {
  sources = [
