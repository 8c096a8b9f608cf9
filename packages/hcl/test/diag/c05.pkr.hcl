x = [for k, v in m : v ...]
