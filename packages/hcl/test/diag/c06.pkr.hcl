x = "%{for a b}"
