x = [for a in b : a => 1]
